import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.commons.ClassRemapper;
import org.objectweb.asm.commons.Remapper;

/**
 * Build-time tool (not shipped): writes Kiln's agent jar from the client's compiled classes and
 * resources plus its runtime dependencies (ASM), with the dependency packages relocated under a
 * private prefix, the way a "shadow"/"shade" plugin does. Gradle 4.4 has no such plugin without
 * a network plugin portal, so java-client/build.gradle compiles this file (source set "shade")
 * and runs it (task agentJar).
 *
 * <p>Every class file of every input is passed through ASM's {@link ClassRemapper} when it
 * mentions a relocated package: the dependency's own classes are renamed and moved, and the
 * client's classes that use them are rewritten to the new names, so application code that ships
 * its own {@code org.objectweb.asm} never sees ours. The rewritten class is produced by a fresh
 * {@link ClassWriter} (not one seeded with the reader's constant pool), so no old name survives in
 * a constant pool. Dependency manifests, signatures and {@code module-info.class} are dropped (the
 * agent jar is an unnamed module, whatever its dependencies declare). Entries are written sorted
 * with a fixed time, so the jar is byte-for-byte reproducible.
 *
 * <p>Usage: {@code KilnShade --out JAR [--relocate FROM=TO]... [--attr NAME=VALUE]...
 * [--add PATH_IN_JAR=FILE]... INPUT...} where FROM/TO are internal-name prefixes ending in '/'
 * and an INPUT is a directory or a jar. A file present in two inputs is an error unless the
 * contents are equal.
 */
public final class KilnShade {
    /** 2000-01-01T00:00:00Z: a fixed time for every entry (reproducible jars). */
    private static final long FIXED_TIME = 946684800000L;

    public static void main(String[] args) throws IOException {
        Path out = null;
        Map<String, String> relocations = new TreeMap<>();
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        Map<String, byte[]> entries = new TreeMap<>();
        List<String> inputs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--out":
                    out = Paths.get(args[++i]);
                    break;
                case "--relocate": {
                    String[] kv = split(args[++i]);
                    if (!kv[0].endsWith("/") || !kv[1].endsWith("/")) {
                        throw new IllegalArgumentException("--relocate prefixes must end in '/': " + args[i]);
                    }
                    relocations.put(kv[0], kv[1]);
                    break;
                }
                case "--attr": {
                    String[] kv = split(args[++i]);
                    manifest.getMainAttributes().putValue(kv[0], kv[1]);
                    break;
                }
                case "--add": {
                    String[] kv = split(args[++i]);
                    put(entries, kv[0], Files.readAllBytes(Paths.get(kv[1])), kv[1]);
                    break;
                }
                default:
                    inputs.add(a);
            }
        }
        if (out == null) {
            throw new IllegalArgumentException("--out JAR is required");
        }
        Remapper remapper = new PrefixRemapper(relocations);

        for (String input : inputs) {
            Path p = Paths.get(input);
            if (Files.isDirectory(p)) {
                List<Path> files = new ArrayList<>();
                try (Stream<Path> walk = Files.walk(p)) {
                    walk.filter(Files::isRegularFile).forEach(files::add);
                }
                for (Path f : files) {
                    String name = p.relativize(f).toString().replace('\\', '/');
                    add(entries, name, Files.readAllBytes(f), input, relocations, remapper);
                }
            } else if (Files.isRegularFile(p)) {
                try (JarFile jar = new JarFile(p.toFile())) {
                    Enumeration<JarEntry> e = jar.entries();
                    while (e.hasMoreElements()) {
                        JarEntry je = e.nextElement();
                        if (je.isDirectory()) {
                            continue;
                        }
                        byte[] bytes;
                        try (InputStream in = jar.getInputStream(je)) {
                            bytes = readAll(in);
                        }
                        add(entries, je.getName(), bytes, input, relocations, remapper);
                    }
                }
            }
            // A missing input (e.g. an empty resources directory) contributes nothing.
        }

        // Directory entries for every parent of a file, so getResource("dir/") works as usual.
        Map<String, byte[]> all = new TreeMap<>(entries);
        for (String name : entries.keySet()) {
            for (int slash = name.indexOf('/'); slash >= 0; slash = name.indexOf('/', slash + 1)) {
                all.putIfAbsent(name.substring(0, slash + 1), null);
            }
        }
        all.remove("META-INF/");

        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        // A sibling temp file (ordinary permissions, unlike createTempFile's owner-only), renamed
        // over the output only once complete.
        Path tmp = parent.resolve(out.getFileName() + ".tmp");
        Files.deleteIfExists(tmp);
        try {
            try (OutputStream fos = Files.newOutputStream(tmp);
                 JarOutputStream jar = new JarOutputStream(fos)) {
                JarEntry metaInf = new JarEntry("META-INF/");
                metaInf.setTime(FIXED_TIME);
                jar.putNextEntry(metaInf);
                jar.closeEntry();
                JarEntry mf = new JarEntry(JarFile.MANIFEST_NAME);
                mf.setTime(FIXED_TIME);
                jar.putNextEntry(mf);
                manifest.write(jar);
                jar.closeEntry();
                for (Map.Entry<String, byte[]> en : all.entrySet()) {
                    JarEntry je = new JarEntry(en.getKey());
                    je.setTime(FIXED_TIME);
                    jar.putNextEntry(je);
                    if (en.getValue() != null) {
                        jar.write(en.getValue());
                    }
                    jar.closeEntry();
                }
            }
            Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void add(Map<String, byte[]> entries, String name, byte[] bytes, String from,
                            Map<String, String> relocations, Remapper remapper) {
        if (skipped(name)) {
            return;
        }
        if (name.endsWith(".class") && mentionsRelocated(bytes, relocations)) {
            ClassReader reader = new ClassReader(bytes);
            ClassWriter writer = new ClassWriter(0);
            reader.accept(new ClassRemapper(writer, remapper), 0);
            bytes = writer.toByteArray();
            name = remapper.map(name.substring(0, name.length() - ".class".length())) + ".class";
        } else {
            for (Map.Entry<String, String> r : relocations.entrySet()) {
                if (name.startsWith(r.getKey())) {
                    name = r.getValue() + name.substring(r.getKey().length());
                    break;
                }
            }
        }
        put(entries, name, bytes, from);
    }

    private static void put(Map<String, byte[]> entries, String name, byte[] bytes, String from) {
        byte[] old = entries.put(name, bytes);
        if (old != null && !java.util.Arrays.equals(old, bytes)) {
            throw new IllegalStateException("two different versions of " + name + " (the second from " + from + ")");
        }
    }

    private static boolean skipped(String name) {
        String upper = name.toUpperCase(java.util.Locale.ROOT);
        return name.equals(JarFile.MANIFEST_NAME)
                || name.equals("module-info.class")
                || name.endsWith("/module-info.class")
                || (upper.startsWith("META-INF/") && upper.indexOf('/', 9) < 0
                    && (upper.endsWith(".SF") || upper.endsWith(".RSA") || upper.endsWith(".DSA") || upper.endsWith(".EC")))
                || upper.startsWith("META-INF/MAVEN/");
    }

    /** Whether the class file's bytes contain a relocated prefix (constant pool UTF-8 is plain ASCII here). */
    private static boolean mentionsRelocated(byte[] bytes, Map<String, String> relocations) {
        for (String prefix : relocations.keySet()) {
            if (indexOf(bytes, prefix.getBytes(StandardCharsets.UTF_8)) >= 0) {
                return true;
            }
        }
        return false;
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static String[] split(String kv) {
        int eq = kv.indexOf('=');
        if (eq <= 0) {
            throw new IllegalArgumentException("expected NAME=VALUE: " + kv);
        }
        return new String[] {kv.substring(0, eq), kv.substring(eq + 1)};
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        byte[] b = new byte[8192];
        for (int n; (n = in.read(b)) > 0; ) {
            buf.write(b, 0, n);
        }
        return buf.toByteArray();
    }

    /** Maps internal names by their longest matching prefix; other names are unchanged. */
    private static final class PrefixRemapper extends Remapper {
        private final Map<String, String> relocations;

        PrefixRemapper(Map<String, String> relocations) {
            this.relocations = relocations;
        }

        @Override
        public String map(String internalName) {
            String best = null;
            for (String prefix : relocations.keySet()) {
                if (internalName.startsWith(prefix) && (best == null || prefix.length() > best.length())) {
                    best = prefix;
                }
            }
            return best == null ? internalName : relocations.get(best) + internalName.substring(best.length());
        }

        /**
         * String constants naming a relocated package, in internal ("org/objectweb/asm/...") or
         * binary ("org.objectweb.asm...") form, are relocated too, like a shade plugin does: ASM
         * itself checks its callers' names against such a literal (Constants.checkAsmExperimental).
         */
        @Override
        public Object mapValue(Object value) {
            if (value instanceof String) {
                String s = (String) value;
                String slashed = map(s);
                if (!slashed.equals(s)) {
                    return slashed;
                }
                String dotted = s.replace('.', '/');
                if (!dotted.equals(s)) {
                    String mapped = map(dotted);
                    if (!mapped.equals(dotted)) {
                        return mapped.replace('/', '.');
                    }
                }
                return s;
            }
            return super.mapValue(value);
        }
    }
}
