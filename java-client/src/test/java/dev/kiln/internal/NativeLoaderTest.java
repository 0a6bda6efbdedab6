package dev.kiln.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import dev.kiln.KilnException;

import java.net.URL;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.junit.Test;

/**
 * NativeLoader in this JVM, whose classpath has kiln-agent.jar (see java-client/build.gradle), so
 * the library comes from the packed resource native/<os>-<arch>/. Loading from a child JVM
 * (extraction directory, -Dkiln.jni.path) is in dev.kiln.agent.ChildJvmTest.
 */
public class NativeLoaderTest {
    @Test
    public void loadsThePackedLibraryAndCallsIt() {
        NativeLoader.load();
        assertTrue(NativeLoader.isLoaded());
        String v = Native.version();
        assertTrue("bridge version: " + v, v.startsWith("kiln_jni "));
        assertEquals(v, NativeLoader.bridgeVersion());
        assertEquals(42L, Native.noop(42));
        assertEquals(-7L, Native.noop(-7));
        assertEquals(Long.MAX_VALUE, Native.noop(Long.MAX_VALUE));
    }

    @Test
    public void theClassesAndTheLibraryComeFromTheAgentJar() {
        String jar = System.getProperty("kiln.agent.jar");
        if (jar == null) {
            return; // run outside Gradle: nothing to compare with
        }
        URL classes = NativeLoader.class.getProtectionDomain().getCodeSource().getLocation();
        assertTrue("NativeLoader loaded from " + classes, classes.getPath().endsWith("/kiln-agent.jar"));
        URL lib = NativeLoader.packedLibrary(System.getProperty("os.name"), System.getProperty("os.arch"));
        assertTrue("library resource " + lib, lib.toString().startsWith("jar:"));
        assertTrue(lib.toString().endsWith("!/native/" + NativeLoader.platform(System.getProperty("os.name"),
                System.getProperty("os.arch")) + "/" + System.mapLibraryName("kiln_jni")));
        assertTrue(NativeLoader.packedPlatforms().contains(
                NativeLoader.platform(System.getProperty("os.name"), System.getProperty("os.arch"))));
    }

    @Test
    public void loadIsIdempotentAndThreadSafe() throws InterruptedException {
        int n = 8;
        CountDownLatch start = new CountDownLatch(1);
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    NativeLoader.load();
                    NativeLoader.load();
                    assertEquals(5L, Native.noop(5));
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            t.start();
            threads.add(t);
        }
        start.countDown();
        for (Thread t : threads) {
            t.join(30_000);
        }
        assertEquals("errors: " + errors, Collections.emptyList(), errors);
    }

    @Test
    public void platformNames() {
        assertEquals("linux-x86_64", NativeLoader.platform("Linux", "amd64"));
        assertEquals("linux-x86_64", NativeLoader.platform("Linux", "x86_64"));
        assertEquals("linux-aarch64", NativeLoader.platform("Linux", "aarch64"));
        assertEquals("macos-aarch64", NativeLoader.platform("Mac OS X", "aarch64"));
        assertEquals("macos-x86_64", NativeLoader.platform("Mac OS X", "x86_64"));
        assertEquals("windows-x86_64", NativeLoader.platform("Windows 11", "amd64"));
        assertEquals("/native/linux-x86_64/libkiln_jni.so", NativeLoader.resourceFor("Linux", "amd64"));
        assertEquals("/native/macos-aarch64/libkiln_jni.dylib", NativeLoader.resourceFor("Mac OS X", "aarch64"));
        assertEquals("/native/windows-x86_64/kiln_jni.dll", NativeLoader.resourceFor("Windows 10", "amd64"));
    }

    @Test
    public void anUnsupportedPlatformIsAKilnExceptionNamingWhatIsSupported() {
        try {
            NativeLoader.packedLibrary("SunOS", "sparcv9");
            fail("expected KilnException");
        } catch (KilnException e) {
            String host = NativeLoader.platform(System.getProperty("os.name"), System.getProperty("os.arch"));
            assertTrue(e.getMessage(), e.getMessage().startsWith(
                    "Kiln has no native library for SunOS/sparcv9 in this jar (supported: "));
            assertTrue(e.getMessage(), e.getMessage().contains("supported: " + host));
            assertTrue(e.getMessage(), e.getMessage().contains("-Dkiln.jni.path"));
        }
        assertEquals("Kiln has no native library for Plan9/mips in this jar (supported: linux-x86_64, macos-aarch64)"
                        + "; build jni-agent for this platform and pass its path with -Dkiln.jni.path",
                NativeLoader.missingMessage("Plan9", "mips", Arrays.asList("linux-x86_64", "macos-aarch64")));
    }
}
