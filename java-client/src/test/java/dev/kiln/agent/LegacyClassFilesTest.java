package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.DataInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.Test;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * examples/legacy-classes with legacy.Counter rewritten to class-file version 48 (Java 1.4, no
 * stack map frames), as the classes of Terracotta-era jars are (concurrent.jar is version 45):
 * its autolocked synchronized methods, its distributed method and its named-lock method are
 * instrumented (the wrappers add no frames to such class files) and shared by real JVMs.
 */
public class LegacyClassFilesTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "legacy-classes";
    }

    @Override
    protected String mainClass() {
        return "legacy.Main";
    }

    /** Rewrites a class file to {@code version}, dropping its frames (none exist before Java 6). */
    static void downgrade(Path file, int version) throws Exception {
        ClassReader r = new ClassReader(Files.readAllBytes(file));
        ClassWriter w = new ClassWriter(0);
        r.accept(new ClassVisitor(Opcodes.ASM9, w) {
            @Override
            public void visit(int v, int access, String name, String signature, String superName, String[] interfaces) {
                super.visit(version, access, name, signature, superName, interfaces);
            }
        }, ClassReader.SKIP_FRAMES);
        Files.write(file, w.toByteArray());
    }

    static int majorVersion(Path file) throws Exception {
        try (InputStream in = Files.newInputStream(file); DataInputStream d = new DataInputStream(in)) {
            d.readInt();
            d.readUnsignedShort();
            return d.readUnsignedShort();
        }
    }

    /**
     * legacy.Big: an int field and a method of 9,000 field writes (54 KB of code): valid, but its
     * write barriers would take it past the JVM's 64 KB method limit.
     */
    static void writeBig(Path file) throws Exception {
        ClassWriter w = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        w.visit(Opcodes.V11, Opcodes.ACC_PUBLIC, "legacy/Big", null, "java/lang/Object", null);
        w.visitField(Opcodes.ACC_PUBLIC, "a", "I", null, null).visitEnd();
        MethodVisitor m = w.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "()V", null, null);
        m.visitCode();
        m.visitVarInsn(Opcodes.ALOAD, 0);
        m.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
        m.visitInsn(Opcodes.RETURN);
        m.visitMaxs(0, 0);
        m.visitEnd();
        m = w.visitMethod(Opcodes.ACC_PUBLIC, "fill", "()V", null, null);
        m.visitCode();
        for (int i = 0; i < 9_000; i++) {
            m.visitVarInsn(Opcodes.ALOAD, 0);
            m.visitIntInsn(Opcodes.SIPUSH, i);
            m.visitFieldInsn(Opcodes.PUTFIELD, "legacy/Big", "a", "I");
        }
        m.visitInsn(Opcodes.RETURN);
        m.visitMaxs(0, 0);
        m.visitEnd();
        w.visitEnd();
        Files.write(file, w.toByteArray());
    }

    @Test
    public void aClassThatCannotBeInstrumentedIsNamedWithTheReason() throws Exception {
        writeBig(classesDir().resolve("legacy/Big.class"));
        String out = runApp("share", "legacy.Big");
        assertTrue(out, out.startsWith("app: com.tc.exception.TCNonPortableObjectError: kiln: legacy.Main.other holds a"
                + " legacy.Big, which cannot be shared: its class matches <instrumented-classes> but could not be"
                + " instrumented when it was loaded (dev.kiln.internal.asm.MethodTooLargeException: Method too large:"
                + " legacy/Big.fill ()V)"));
        assertTrue(out, out.endsWith("Nothing of this transaction was shared."));
        // The root stays unbound: a class that can be shared is accepted afterwards.
        assertEquals("app: shared legacy.Counter", runApp("share", "legacy.Counter"));
    }

    @Test
    public void aJava14ClassIsInstrumentedAndShared() throws Exception {
        Path counter = classesDir().resolve("legacy/Counter.class");
        downgrade(counter, Opcodes.V1_4);
        assertEquals(48, majorVersion(counter));

        Process a = start("add", "100", "a");
        Process b = start("add", "100", "b");
        for (Process p : new Process[] {a, b}) {
            String out = finish(p);
            assertTrue(out, out.contains("app: added 100 and 5"));
        }
        assertEquals("app: count 200 extra 10 log 8", runApp("get"));

        Process listener = start("listen", "b");
        String pinger = runApp("ping", "a");
        assertEquals("app: acked true after at least one ping true", pinger);
        String heard = finish(listener);
        assertTrue(heard, heard.contains("app: pinged by a"));
        assertTrue(heard, heard.contains("app: listener done, acked true"));
    }
}
