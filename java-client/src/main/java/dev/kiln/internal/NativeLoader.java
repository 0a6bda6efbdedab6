package dev.kiln.internal;

import dev.kiln.KilnException;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Loads {@code libkiln_jni}, the Rust JNI bridge behind {@link Native}, once per class loader.
 *
 * <p>Where the library comes from:
 * <ol>
 *   <li>the file named by the system property {@code kiln.jni.path}, if set (a development build,
 *       or a platform the jar does not carry);</li>
 *   <li>otherwise the resource {@code native/<os>-<arch>/<lib>} next to this class (packed into
 *       {@code kiln-agent.jar} by the Gradle build), where {@code <os>} is {@code linux},
 *       {@code macos} or {@code windows}, {@code <arch>} is {@code x86_64} or {@code aarch64}, and
 *       {@code <lib>} is {@code System.mapLibraryName("kiln_jni")} ({@code libkiln_jni.so},
 *       {@code libkiln_jni.dylib}, {@code kiln_jni.dll}). On POSIX systems it is loaded from a
 *       per-user cached copy, {@code <kiln.jni.tmpdir>/kiln-jni-<user>/<name>-<crc32>-<size><ext>}
 *       ({@code kiln.jni.tmpdir} defaults to {@code java.io.tmpdir}; the directory owner-only, the
 *       copy checked against the jar entry's size and CRC-32 at each start, written once and
 *       renamed into place atomically); with {@code -Dkiln.jni.cache=false}, on Windows, or when the
 *       cache cannot be used, it is copied to a fresh owner-only temp file instead, loaded from
 *       there and deleted at exit (on POSIX systems right after loading: the mapping outlives the
 *       name). Either way the copy is complete and closed before {@code System.load} sees it.</li>
 * </ol>
 * After loading, {@link Native#version()} is called and checked: the library must say it is
 * {@code kiln_jni}, and when this class comes from a jar with an {@code Implementation-Version},
 * the bridge's version must be the same.
 *
 * <p>{@link #load()} is idempotent and thread-safe; a failed load throws {@link KilnException}
 * and may be retried.
 */
public final class NativeLoader {
    /** System property naming the library file to load instead of the packed one. */
    public static final String PATH_PROPERTY = "kiln.jni.path";
    /** System property naming the directory the packed library is extracted to. */
    public static final String TMPDIR_PROPERTY = "kiln.jni.tmpdir";
    /**
     * System property: {@code false} extracts the packed library to a fresh temp file at every
     * start (deleted after loading) instead of reusing the per-user cached copy.
     */
    public static final String CACHE_PROPERTY = "kiln.jni.cache";

    private static final String LIB_BASE = "kiln_jni";
    private static final String VERSION_PREFIX = "kiln_jni ";

    private static volatile boolean loaded;
    private static String bridgeVersion;
    /** Set when a library was loaded but failed the version check: loading again cannot help. */
    private static KilnException loadedButRejected;

    private NativeLoader() {}

    /** Loads the bridge if this class loader has not yet; throws {@link KilnException} if it cannot. */
    public static void load() {
        if (loaded) {
            return;
        }
        synchronized (NativeLoader.class) {
            if (loaded) {
                return;
            }
            if (loadedButRejected != null) {
                throw new KilnException(loadedButRejected.getMessage(), loadedButRejected);
            }
            String explicit = System.getProperty(PATH_PROPERTY);
            String from;
            if (explicit != null && !explicit.isEmpty()) {
                Path p = Paths.get(explicit).toAbsolutePath();
                if (!Files.isRegularFile(p)) {
                    throw new KilnException("Kiln native library " + p + " (-D" + PATH_PROPERTY + ") does not exist");
                }
                systemLoad(p, p + " (-D" + PATH_PROPERTY + ")", "");
                from = p.toString();
            } else {
                URL url = packedLibrary(System.getProperty("os.name"), System.getProperty("os.arch"));
                Path cached = "false".equals(System.getProperty(CACHE_PROPERTY)) ? null : cached(url);
                if (cached != null) {
                    systemLoad(cached, url.toString(), " (cached as " + cached + "; if that directory is mounted"
                            + " noexec, set -D" + TMPDIR_PROPERTY + "=DIR)");
                } else {
                    Path file = extract(url);
                    try {
                        systemLoad(file, url.toString(), isWindows() ? ""
                                : " (extracted to " + file.getParent() + "; if that directory is mounted noexec, set -D"
                                + TMPDIR_PROPERTY + "=DIR)");
                    } finally {
                        if (!isWindows()) {
                            deleteQuietly(file);
                        }
                    }
                }
                from = url.toString();
            }
            try {
                bridgeVersion = checkVersion(from);
            } catch (KilnException e) {
                loadedButRejected = e;
                throw e;
            }
            loaded = true;
        }
    }

    /** Whether {@link #load()} has succeeded in this class loader. */
    public static boolean isLoaded() {
        return loaded;
    }

    /** The loaded bridge's {@link Native#version()} string, or null before {@link #load()}. */
    public static synchronized String bridgeVersion() {
        return bridgeVersion;
    }

    // ------------------------------------------------------------------ platform names

    /** {@code <os>-<arch>} as used for the jar's {@code native/} directories, e.g. {@code linux-x86_64}. */
    public static String platform(String osName, String osArch) {
        return os(osName) + "-" + arch(osArch);
    }

    static String os(String osName) {
        String n = osName == null ? "" : osName.toLowerCase(Locale.ROOT);
        if (n.startsWith("linux")) {
            return "linux";
        }
        if (n.startsWith("mac") || n.startsWith("darwin")) {
            return "macos";
        }
        if (n.startsWith("windows")) {
            return "windows";
        }
        return n.replaceAll("[^a-z0-9]+", "");
    }

    static String arch(String osArch) {
        String a = osArch == null ? "" : osArch.toLowerCase(Locale.ROOT);
        switch (a) {
            case "amd64":
            case "x86_64":
            case "x64":
                return "x86_64";
            case "aarch64":
            case "arm64":
                return "aarch64";
            default:
                return a.replaceAll("[^a-z0-9_]+", "");
        }
    }

    /** The resource path of the library for a platform, e.g. {@code /native/linux-x86_64/libkiln_jni.so}. */
    static String resourceFor(String osName, String osArch) {
        return "/native/" + platform(osName, osArch) + "/" + libraryFileName(osName);
    }

    static String libraryFileName(String osName) {
        switch (os(osName)) {
            case "linux":
                return "lib" + LIB_BASE + ".so";
            case "macos":
                return "lib" + LIB_BASE + ".dylib";
            case "windows":
                return LIB_BASE + ".dll";
            default:
                return System.mapLibraryName(LIB_BASE);
        }
    }

    /** The packed library for a platform; {@link KilnException} if the jar has none. */
    static URL packedLibrary(String osName, String osArch) {
        URL url = NativeLoader.class.getResource(resourceFor(osName, osArch));
        if (url == null) {
            throw new KilnException(missingMessage(osName, osArch, packedPlatforms()));
        }
        return url;
    }

    static String missingMessage(String osName, String osArch, List<String> packed) {
        return "Kiln has no native library for " + osName + "/" + osArch + " in this jar (supported: "
                + (packed.isEmpty() ? "none" : String.join(", ", packed))
                + "); build jni-agent for this platform and pass its path with -D" + PATH_PROPERTY;
    }

    /** The platforms listed in the jar's {@code native/platforms.txt} (written by the build). */
    static List<String> packedPlatforms() {
        List<String> out = new ArrayList<>();
        URL index = NativeLoader.class.getResource("/native/platforms.txt");
        if (index == null) {
            return out;
        }
        try (InputStream in = index.openStream();
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                line = line.trim();
                if (!line.isEmpty()) {
                    out.add(line);
                }
            }
        } catch (IOException e) {
            // Only used for the error message.
        }
        return out;
    }

    // ------------------------------------------------------------------ loading

    /**
     * Copies the resource to a new owner-only temp file and returns it, complete and closed. On
     * any failure the partial file is deleted and a {@link KilnException} is thrown, so nothing
     * half-written is ever loaded.
     */
    private static Path extract(URL url) {
        String dirName = System.getProperty(TMPDIR_PROPERTY);
        if (dirName == null || dirName.isEmpty()) {
            dirName = System.getProperty("java.io.tmpdir");
        }
        Path dir = Paths.get(dirName);
        String path = url.getPath();
        String name = path.substring(path.lastIndexOf('/') + 1);
        int dot = name.lastIndexOf('.');
        String prefix = (dot > 0 ? name.substring(0, dot) : name) + "-";
        String suffix = dot > 0 ? name.substring(dot) : null;
        Path file = null;
        try {
            if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                FileAttribute<?> ownerOnly = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
                file = Files.createTempFile(dir, prefix, suffix, ownerOnly);
            } else {
                file = Files.createTempFile(dir, prefix, suffix);
                java.io.File f = file.toFile();
                f.setReadable(false, false);
                f.setReadable(true, true);
                f.setWritable(false, false);
                f.setWritable(true, true);
            }
            file.toFile().deleteOnExit();
            long expected;
            java.net.URLConnection conn = url.openConnection();
            conn.setUseCaches(false); // a cached JarFile could be stale if the jar was replaced
            expected = conn.getContentLengthLong();
            long copied;
            try (InputStream in = conn.getInputStream(); OutputStream out = Files.newOutputStream(file)) {
                copied = copy(in, out);
            }
            if (expected >= 0 && copied != expected) {
                throw new IOException("copied " + copied + " bytes of " + expected);
            }
            return file;
        } catch (IOException | RuntimeException e) {
            if (file != null) {
                deleteQuietly(file);
            }
            throw new KilnException("cannot extract the Kiln native library " + url + " to " + dir
                    + " (set -D" + TMPDIR_PROPERTY + "=DIR to use another directory): " + e, e);
        }
    }

    /**
     * The packed library's per-user cached copy, extracted once and reused by every later start
     * (extracting 5 MB and creating a secure temp file cost ~30 ms of each JVM start). The copy is
     * {@code <tmpdir>/kiln-jni-<user>/<name>-<crc32>-<size><ext>}: the directory is created
     * owner-only and used only if it is a real directory owned by this user with no access for
     * anyone else; the file is used only if its size and CRC-32 match the jar entry's (from the
     * jar's directory, so nothing is inflated to check it). A missing or different copy is
     * written beside it under a unique name and renamed into place atomically, so a concurrent
     * start never loads a half-written file. Returns null (the caller falls back to a fresh temp
     * file) when any of that is not possible: not a jar URL, no POSIX permissions, a foreign or
     * shared directory, an I/O error.
     */
    private static Path cached(URL url) {
        try {
            if (!FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
                return null;
            }
            java.net.URLConnection conn = url.openConnection();
            if (!(conn instanceof java.net.JarURLConnection)) {
                return null;
            }
            conn.setUseCaches(false);
            java.util.jar.JarEntry entry = ((java.net.JarURLConnection) conn).getJarEntry();
            long crc = entry == null ? -1 : entry.getCrc();
            long size = entry == null ? -1 : entry.getSize();
            if (crc < 0 || size < 0) {
                return null;
            }
            String dirName = System.getProperty(TMPDIR_PROPERTY);
            if (dirName == null || dirName.isEmpty()) {
                dirName = System.getProperty("java.io.tmpdir");
            }
            String user = System.getProperty("user.name", "user").replaceAll("[^A-Za-z0-9._-]", "_");
            Path dir = Paths.get(dirName, "kiln-jni-" + user);
            java.nio.file.LinkOption nofollow = java.nio.file.LinkOption.NOFOLLOW_LINKS;
            if (!Files.exists(dir, nofollow)) {
                try {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // another JVM made it: checked below like any existing directory
                }
            }
            java.nio.file.attribute.PosixFileAttributes attrs =
                    Files.readAttributes(dir, java.nio.file.attribute.PosixFileAttributes.class, nofollow);
            if (!attrs.isDirectory() || !attrs.owner().getName().equals(System.getProperty("user.name"))
                    || !attrs.permissions().equals(PosixFilePermissions.fromString("rwx------"))) {
                return null;
            }
            String path = url.getPath();
            String name = path.substring(path.lastIndexOf('/') + 1);
            int dot = name.lastIndexOf('.');
            String base = dot > 0 ? name.substring(0, dot) : name;
            String ext = dot > 0 ? name.substring(dot) : "";
            Path file = dir.resolve(base + "-" + Long.toHexString(crc) + "-" + size + ext);
            if (matches(file, crc, size)) {
                return file;
            }
            Path tmp = dir.resolve("." + base + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ext);
            try {
                long copied;
                try (InputStream in = conn.getInputStream();
                     OutputStream out = Files.newOutputStream(tmp, java.nio.file.StandardOpenOption.CREATE_NEW,
                             java.nio.file.StandardOpenOption.WRITE)) {
                    copied = copy(in, out);
                }
                if (copied != size) {
                    throw new IOException("copied " + copied + " bytes of " + size);
                }
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx------"));
                Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } finally {
                deleteQuietly(tmp);
            }
            return matches(file, crc, size) ? file : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Whether {@code file} is a regular file (not a link) of {@code size} bytes with that CRC-32. */
    private static boolean matches(Path file, long crc, long size) throws IOException {
        java.nio.file.LinkOption nofollow = java.nio.file.LinkOption.NOFOLLOW_LINKS;
        if (!Files.isRegularFile(file, nofollow) || Files.size(file) != size) {
            return false;
        }
        java.util.zip.CRC32 sum = new java.util.zip.CRC32();
        byte[] buf = new byte[256 * 1024];
        try (InputStream in = Files.newInputStream(file, java.nio.file.StandardOpenOption.READ)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                sum.update(buf, 0, n);
            }
        }
        return sum.getValue() == crc;
    }

    private static long copy(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[64 * 1024];
        long total = 0;
        for (int n; (n = in.read(buf)) > 0; ) {
            out.write(buf, 0, n);
            total += n;
        }
        return total;
    }

    private static void systemLoad(Path file, String what, String hint) {
        try {
            System.load(file.toString());
        } catch (UnsatisfiedLinkError e) {
            throw new KilnException("cannot load the Kiln native library " + what + ": " + e.getMessage() + hint, e);
        }
    }

    private static String checkVersion(String from) {
        String v;
        try {
            v = Native.version();
        } catch (UnsatisfiedLinkError e) {
            throw new KilnException("the library " + from + " is not a Kiln JNI bridge (no Native.version): " + e.getMessage(), e);
        }
        if (v == null || !v.startsWith(VERSION_PREFIX)) {
            throw new KilnException("the library " + from + " is not a Kiln JNI bridge: it reports version '" + v + "'");
        }
        String expected = NativeLoader.class.getPackage() == null ? null
                : NativeLoader.class.getPackage().getImplementationVersion();
        if (expected != null) {
            String rest = v.substring(VERSION_PREFIX.length());
            int end = 0;
            while (end < rest.length() && rest.charAt(end) != ',' && !Character.isWhitespace(rest.charAt(end))) {
                end++;
            }
            String actual = rest.substring(0, end);
            if (!actual.equals(expected)) {
                throw new KilnException("the Kiln native library " + from + " is version " + actual
                        + " but this Java client is version " + expected + " (" + v + ")");
            }
        }
        return v;
    }

    private static boolean isWindows() {
        return os(System.getProperty("os.name")).equals("windows");
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException | RuntimeException e) {
            // deleteOnExit is registered as well
        }
    }
}
