package dev.kiln.agent;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * In an instrumented class, every array element store ({@code IASTORE}, {@code AASTORE}, ...)
 * becomes a call of {@code dev.kiln.agent.rt.SharedArrays.*astore(array, index, value)}: the same
 * store (same exceptions), then the shared-array barrier. Same operands, fewer stack slots after:
 * frames stay valid.
 */
final class ArrayStoreRewriter extends MethodVisitor {
    private static final String ARRAYS = "dev/kiln/agent/rt/SharedArrays";

    ArrayStoreRewriter(MethodVisitor mv) {
        super(Opcodes.ASM9, mv);
    }

    @Override
    public void visitInsn(int opcode) {
        String m;
        String d;
        switch (opcode) {
            case Opcodes.AASTORE: m = "aastore"; d = "([Ljava/lang/Object;ILjava/lang/Object;)V"; break;
            case Opcodes.IASTORE: m = "iastore"; d = "([III)V"; break;
            case Opcodes.LASTORE: m = "lastore"; d = "([JIJ)V"; break;
            case Opcodes.FASTORE: m = "fastore"; d = "([FIF)V"; break;
            case Opcodes.DASTORE: m = "dastore"; d = "([DID)V"; break;
            case Opcodes.CASTORE: m = "castore"; d = "([CII)V"; break;
            case Opcodes.SASTORE: m = "sastore"; d = "([SII)V"; break;
            case Opcodes.BASTORE: m = "bastore"; d = "(Ljava/lang/Object;II)V"; break;
            default:
                super.visitInsn(opcode);
                return;
        }
        super.visitMethodInsn(Opcodes.INVOKESTATIC, ARRAYS, m, d, false);
    }
}
