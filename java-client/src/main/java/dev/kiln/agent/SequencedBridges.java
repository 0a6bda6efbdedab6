package dev.kiln.agent;

import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import java.util.HashMap;
import java.util.Map;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * On JDK 21+, adds to the agent's own {@code KilnLinkedHashSet} and {@code KilnLinkedHashMap},
 * as they load, the overrides of the JDK 21 sequenced views whose return types (SequencedSet,
 * SequencedMap, SequencedCollection) a Java 11 class cannot declare: {@code reversed()} and
 * {@code sequencedKeySet/sequencedValues/sequencedEntrySet()}. Each bridge is
 * {@code return (RetType) this.$kiln$name();} — the Java method decides (unshared: the JDK's own
 * view; shared: a barriered one, {@code jdk/Sequenced}). A class that cannot be changed is logged
 * and left as it was (its views then are the JDK's, unbarriered when shared).
 */
final class SequencedBridges implements ClassFileTransformer {
    private static final Map<String, String[][]> BRIDGES = new HashMap<>();

    static {
        BRIDGES.put("dev/kiln/agent/jdk/KilnLinkedHashSet", new String[][] {{"reversed", "java/util/SequencedSet"}});
        BRIDGES.put("dev/kiln/agent/jdk/KilnLinkedHashMap", new String[][] {
            {"reversed", "java/util/SequencedMap"},
            {"sequencedKeySet", "java/util/SequencedSet"},
            {"sequencedValues", "java/util/SequencedCollection"},
            {"sequencedEntrySet", "java/util/SequencedSet"},
        });
    }

    private SequencedBridges() {}

    /** Registers the transformer on JDK 21 and later (before any Kiln collection loads). */
    static void install(Instrumentation inst) {
        if (java.lang.Runtime.version().feature() >= 21) {
            inst.addTransformer(new SequencedBridges(), false);
        }
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain pd, byte[] bytes) {
        String[][] bridges = className == null ? null : BRIDGES.get(className);
        if (bridges == null || redefined != null) {
            return null;
        }
        try {
            ClassReader r = new ClassReader(bytes);
            ClassWriter w = new ClassWriter(r, 0);
            r.accept(new ClassVisitor(Opcodes.ASM9, w) {
                @Override
                public void visitEnd() {
                    for (String[] b : bridges) {
                        MethodVisitor m = cv.visitMethod(Opcodes.ACC_PUBLIC, b[0], "()L" + b[1] + ";", null, null);
                        m.visitCode();
                        m.visitVarInsn(Opcodes.ALOAD, 0);
                        m.visitMethodInsn(Opcodes.INVOKEVIRTUAL, className, "$kiln$" + b[0], "()Ljava/lang/Object;", false);
                        m.visitTypeInsn(Opcodes.CHECKCAST, b[1]);
                        m.visitInsn(Opcodes.ARETURN);
                        m.visitMaxs(1, 1);
                        m.visitEnd();
                    }
                    super.visitEnd();
                }
            }, 0);
            return w.toByteArray();
        } catch (Throwable t) {
            KilnAgentLog.report("kiln: could not add the JDK 21 sequenced views to " + className.replace('/', '.')
                    + ", left as it was (their changes are not shared): " + t);
            return null;
        }
    }
}
