package dev.kiln.agent;

import dev.kiln.agent.rt.BaseValueCalls;
import dev.kiln.agent.rt.SqlValueCalls;
import dev.kiln.agent.rt.ValueCalls;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * In an instrumented class, a call of an in-place mutator of an awt value type
 * ({@code p.setLocation(x, y)}, {@code path.lineTo(x, y)}: {@code INVOKEVIRTUAL java/awt/...}) or
 * of a java.base value type ({@code date.setTime(t)}, {@code cal.add(f, n)}, {@code bits.set(i)},
 * {@code timestamp.setNanos(n)}) becomes {@code INVOKESTATIC} of its {@link ValueCalls} /
 * {@link BaseValueCalls} / {@link SqlValueCalls} twin, which makes the same call and then
 * records a shared value's new state. The receiver becomes the first argument: same stack
 * shape, straight-line, so frames stay valid.
 */
final class ValueCallRewriter extends MethodVisitor {
    ValueCallRewriter(MethodVisitor mv) {
        super(Opcodes.ASM9, mv);
    }

    @Override
    public void visitMethodInsn(int opcode, String owner, String name, String desc, boolean itf) {
        String twins = null;
        String t = null;
        if (opcode == Opcodes.INVOKEVIRTUAL) {
            if (owner.startsWith("java/awt/")) {
                twins = "dev/kiln/agent/rt/ValueCalls";
                t = ValueCalls.target(owner, name, desc);
            } else if (owner.startsWith("java/util/")) {
                twins = "dev/kiln/agent/rt/BaseValueCalls";
                t = BaseValueCalls.target(owner, name, desc);
            } else if (owner.startsWith("java/sql/")) {
                twins = "dev/kiln/agent/rt/SqlValueCalls";
                t = SqlValueCalls.target(owner, name, desc);
            }
        }
        if (t != null) {
            super.visitMethodInsn(Opcodes.INVOKESTATIC, twins, t, "(L" + owner + ";" + desc.substring(1), false);
            return;
        }
        super.visitMethodInsn(opcode, owner, name, desc, itf);
    }
}
