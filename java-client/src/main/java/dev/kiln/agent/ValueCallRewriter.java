package dev.kiln.agent;

import dev.kiln.agent.rt.ValueCalls;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * In an instrumented class, a call of an in-place mutator of an awt value type
 * ({@code p.setLocation(x, y)}, {@code path.lineTo(x, y)}: {@code INVOKEVIRTUAL java/awt/...})
 * becomes {@code INVOKESTATIC} of its {@link ValueCalls} twin, which makes the same call and then
 * records a shared value's new state. The receiver becomes the first argument: same stack
 * shape, straight-line, so frames stay valid.
 */
final class ValueCallRewriter extends MethodVisitor {
    ValueCallRewriter(MethodVisitor mv) {
        super(Opcodes.ASM9, mv);
    }

    @Override
    public void visitMethodInsn(int opcode, String owner, String name, String desc, boolean itf) {
        String t = opcode == Opcodes.INVOKEVIRTUAL && owner.startsWith("java/awt/") ? ValueCalls.target(owner, name, desc) : null;
        if (t != null) {
            super.visitMethodInsn(Opcodes.INVOKESTATIC, "dev/kiln/agent/rt/ValueCalls", t, "(L" + owner + ";" + desc.substring(1),
                    false);
            return;
        }
        super.visitMethodInsn(opcode, owner, name, desc, itf);
    }
}
