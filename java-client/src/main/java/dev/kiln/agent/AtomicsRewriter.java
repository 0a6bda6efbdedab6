package dev.kiln.agent;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.HashMap;
import java.util.Map;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * In an instrumented class, every {@code INVOKEVIRTUAL java/util/concurrent/atomic/AtomicX.m(..)}
 * (AtomicInteger, AtomicLong, AtomicBoolean, AtomicReference) of a method
 * {@code dev.kiln.agent.rt.Atomics} has a static counterpart of becomes
 * {@code INVOKESTATIC dev/kiln/agent/rt/Atomics.m(AtomicX, ..)}: same operands, same result, so
 * frames stay valid; likewise the element methods of AtomicIntegerArray/AtomicLongArray/
 * AtomicReferenceArray go to {@code dev.kiln.agent.jdk.AtomicArrays}. Their methods are final, so no subclass could intercept them. Calls the
 * table does not name (getPlain, compareAndExchange, ...) are left alone. See docs/agent.md.
 */
final class AtomicsRewriter extends MethodVisitor {
    /** {@code owner.name desc} of the instance calls rewritten (desc without the receiver) -> the class of the static. */
    private static final Map<String, String> CALLS = new HashMap<>();

    static {
        table(dev.kiln.agent.rt.Atomics.class);
        table(dev.kiln.agent.jdk.AtomicArrays.class); // AtomicIntegerArray/AtomicLongArray/AtomicReferenceArray
        table(dev.kiln.agent.jdk.FieldUpdaters.class); // Atomic{Integer,Long,Reference}FieldUpdater on shared objects
    }

    private static void table(Class<?> statics) {
        for (Method m : statics.getDeclaredMethods()) {
            Class<?>[] p = m.getParameterTypes();
            if (!Modifier.isPublic(m.getModifiers()) || !Modifier.isStatic(m.getModifiers()) || p.length == 0
                    || !p[0].getName().startsWith("java.util.concurrent.atomic.")) {
                continue;
            }
            Type[] rest = new Type[p.length - 1];
            for (int i = 1; i < p.length; i++) {
                rest[i - 1] = Type.getType(p[i]);
            }
            CALLS.put(Type.getInternalName(p[0]) + "." + m.getName() + Type.getMethodDescriptor(Type.getType(m.getReturnType()), rest),
                    Type.getInternalName(statics));
        }
    }

    AtomicsRewriter(MethodVisitor mv) {
        super(Opcodes.ASM9, mv);
    }

    @Override
    public void visitMethodInsn(int opcode, String owner, String name, String desc, boolean itf) {
        if (opcode == Opcodes.INVOKEVIRTUAL && owner.startsWith("java/util/concurrent/atomic/")
                && CALLS.containsKey(owner + "." + name + desc)) {
            super.visitMethodInsn(Opcodes.INVOKESTATIC, CALLS.get(owner + "." + name + desc), name, "(L" + owner + ";" + desc.substring(1), false);
            return;
        }
        super.visitMethodInsn(opcode, owner, name, desc, itf);
    }
}
