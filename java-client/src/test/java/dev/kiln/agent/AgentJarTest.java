package dev.kiln.agent;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import org.junit.Test;

/** The shape of build/libs/kiln-agent.jar: manifest, relocated ASM, packed native library. */
public class AgentJarTest {
    static File agentJar() {
        String p = System.getProperty("kiln.agent.jar");
        assertNotNull("system property kiln.agent.jar (set by java-client/build.gradle)", p);
        File f = new File(p);
        assertTrue("agent jar " + f + " exists", f.isFile());
        return f;
    }

    @Test
    public void manifestNamesTheAgent() throws IOException {
        try (JarFile jar = new JarFile(agentJar())) {
            Attributes a = jar.getManifest().getMainAttributes();
            assertEquals("dev.kiln.agent.KilnAgent", a.getValue("Premain-Class"));
            assertEquals("dev.kiln.agent.KilnAgent", a.getValue("Agent-Class"));
            String v = a.getValue("Implementation-Version");
            assertNotNull(v);
            assertTrue(v, v.matches("\\d+\\.\\d+\\.\\d+.*"));
        }
    }

    @Test
    public void asmIsRelocatedAndNothingRefersToTheOriginalPackage() throws IOException {
        byte[] original = "org/objectweb/asm/".getBytes(StandardCharsets.US_ASCII);
        List<String> offenders = new ArrayList<>();
        int relocated = 0;
        try (JarFile jar = new JarFile(agentJar())) {
            Enumeration<JarEntry> e = jar.entries();
            while (e.hasMoreElements()) {
                JarEntry je = e.nextElement();
                String name = je.getName();
                if (name.startsWith("org/objectweb/asm/") || name.startsWith("org/objectweb/")
                        || name.equals("module-info.class") || name.endsWith("/module-info.class")) {
                    offenders.add(name);
                }
                if (name.startsWith("dev/kiln/internal/asm/") && name.endsWith(".class")) {
                    relocated++;
                }
                if (name.endsWith(".class") && indexOf(read(jar, je), original) >= 0) {
                    offenders.add(name + " (mentions org/objectweb/asm/)");
                }
            }
            assertNotNull(jar.getEntry("META-INF/kiln/LICENSE-asm.txt"));
        }
        assertEquals(new ArrayList<String>(), offenders);
        assertTrue("relocated ASM classes: " + relocated, relocated > 20);
    }

    @Test
    public void theRelocatedAsmWorks() throws Exception {
        // An isolated loader (parent: the platform loader) sees only the jar: the relocated ASM
        // must be self-contained. Parse a class file with it and check the class name it reports.
        try (URLClassLoader loader = new URLClassLoader(new URL[] {agentJar().toURI().toURL()},
                ClassLoader.getSystemClassLoader().getParent())) {
            Class<?> readerClass = Class.forName("dev.kiln.internal.asm.ClassReader", true, loader);
            byte[] bytes;
            try (InputStream in = AgentJarTest.class.getResourceAsStream("AgentJarTest.class")) {
                bytes = in.readAllBytes();
            }
            Object reader = readerClass.getConstructor(byte[].class).newInstance((Object) bytes);
            Method getClassName = readerClass.getMethod("getClassName");
            assertEquals("dev/kiln/agent/AgentJarTest", getClassName.invoke(reader));
            Class<?> opcodes = Class.forName("dev.kiln.internal.asm.Opcodes", true, loader);
            assertEquals(69, opcodes.getField("V25").getInt(null)); // ASM knows Java 25 class files
        }
    }

    @Test
    public void theNativeLibraryIsPackedForThisPlatform() throws IOException {
        String os = System.getProperty("os.name").toLowerCase();
        String arch = System.getProperty("os.arch");
        String platform = (os.startsWith("linux") ? "linux" : os.startsWith("mac") ? "macos"
                : os.startsWith("windows") ? "windows" : os)
                + "-" + (arch.equals("amd64") || arch.equals("x86_64") ? "x86_64" : arch.equals("arm64") ? "aarch64" : arch);
        try (JarFile jar = new JarFile(agentJar())) {
            JarEntry lib = jar.getJarEntry("native/" + platform + "/" + System.mapLibraryName("kiln_jni"));
            assertNotNull("native/" + platform + "/" + System.mapLibraryName("kiln_jni") + " in the jar", lib);
            byte[] head = new byte[4];
            try (InputStream in = jar.getInputStream(lib)) {
                assertEquals(4, in.readNBytes(head, 0, 4));
            }
            if (platform.startsWith("linux")) {
                assertArrayEquals(new byte[] {0x7f, 'E', 'L', 'F'}, head);
            }
            String index = new String(read(jar, jar.getJarEntry("native/platforms.txt")), StandardCharsets.UTF_8);
            assertTrue(index, index.lines().anyMatch(platform::equals));
            assertFalse(index.contains("\r"));
        }
    }

    private static byte[] read(JarFile jar, JarEntry e) throws IOException {
        try (InputStream in = jar.getInputStream(e)) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
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
}
