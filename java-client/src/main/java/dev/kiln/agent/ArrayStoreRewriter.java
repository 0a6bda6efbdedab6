package dev.kiln.agent;

import dev.kiln.agent.rt.ArrayOps;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * In an instrumented class:
 * <ul>
 * <li>every array element store ({@code IASTORE}, {@code AASTORE}, ...) becomes a call of
 * {@code dev.kiln.agent.rt.SharedArrays.*astore(array, index, value)}: the same store (same
 * exceptions), then the shared-array barrier. Same operands, fewer stack slots after: frames
 * stay valid;</li>
 * <li>a call of {@code System.arraycopy} or of a {@code java.util.Arrays} method that changes
 * its array ({@code fill}, {@code sort}...) becomes a call of its {@link ArrayOps} twin (same
 * descriptor), and {@code getChars} of a String/StringBuilder/StringBuffer into a char array
 * its twin with the receiver first: the same operation, recorded when the array is shared;</li>
 * <li>after a call of a {@code clone()} method (e.g. {@code super.clone()}), the copy goes
 * through {@code Runtime.afterClone}: {@code Object.clone} copies the injected object id too, so
 * a copy of a shared object would otherwise be taken for the shared object itself.</li>
 * </ul>
 */
final class ArrayStoreRewriter extends MethodVisitor {
    private static final String ARRAYS = "dev/kiln/agent/rt/SharedArrays";
    private static final String OPS = "dev/kiln/agent/rt/ArrayOps";
    private static final String ARRAYCOPY = "(Ljava/lang/Object;ILjava/lang/Object;II)V";

    ArrayStoreRewriter(MethodVisitor mv) {
        super(Opcodes.ASM9, mv);
    }

    @Override
    public void visitMethodInsn(int opcode, String owner, String name, String desc, boolean itf) {
        if (opcode == Opcodes.INVOKESTATIC) {
            if (owner.equals("java/lang/System") && name.equals("arraycopy") && desc.equals(ARRAYCOPY)
                    || owner.equals("java/util/Arrays") && ArrayOps.hasTwin(name, desc)) {
                super.visitMethodInsn(Opcodes.INVOKESTATIC, OPS, name, desc, false);
                return;
            }
        } else if (opcode == Opcodes.INVOKEVIRTUAL && ArrayOps.charsTwin(owner, name, desc) != null) {
            super.visitMethodInsn(Opcodes.INVOKESTATIC, OPS, name, ArrayOps.charsTwin(owner, name, desc), false);
            return;
        } else if ((opcode == Opcodes.INVOKEVIRTUAL || opcode == Opcodes.INVOKESPECIAL) && name.equals("clone")
                && desc.startsWith("()L") && !owner.startsWith("[")) {
            super.visitMethodInsn(opcode, owner, name, desc, itf);
            super.visitInsn(Opcodes.DUP);
            super.visitMethodInsn(Opcodes.INVOKESTATIC, "dev/kiln/agent/rt/Runtime", "afterClone", "(Ljava/lang/Object;)V", false);
            return;
        }
        super.visitMethodInsn(opcode, owner, name, desc, itf);
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
