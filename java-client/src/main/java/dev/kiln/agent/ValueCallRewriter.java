package dev.kiln.agent;

import dev.kiln.agent.rt.BaseValueCalls;
import dev.kiln.agent.rt.BuilderCalls;
import dev.kiln.agent.rt.SqlValueCalls;
import dev.kiln.agent.rt.ValueCalls;

import java.util.HashMap;
import java.util.Map;

import org.objectweb.asm.Handle;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * In an instrumented class, a call of an in-place mutator of an awt value type
 * ({@code p.setLocation(x, y)}, {@code path.lineTo(x, y)}: {@code INVOKEVIRTUAL java/awt/...}) or
 * of a java.base value type ({@code date.setTime(t)}, {@code cal.add(f, n)}, {@code bits.set(i)},
 * {@code timestamp.setNanos(n)}, {@code builder.append(s)}) becomes {@code INVOKESTATIC} of its
 * {@link ValueCalls} / {@link BaseValueCalls} / {@link SqlValueCalls} / {@link BuilderCalls}
 * twin, which makes the same call and then records a shared value's new state. The receiver
 * becomes the first argument: same stack shape, straight-line, so frames stay valid.
 *
 * <p>{@code StringBuilder}/{@code StringBuffer} calls are left alone on a <em>fresh</em> builder:
 * one this method made ({@code NEW}, its constructor) that has not left the operand stack since
 * (not stored in a local, a field or an array, not passed to a method, no merge point in
 * between): javac's string concatenation ({@code new StringBuilder().append(a).append(b)
 * .toString()}), which HotSpot optimises only as a plain chain of {@code append} calls. Such a
 * builder cannot be shared yet. To know it, this visitor follows the operand stack's slots (one
 * mark per slot); where it cannot (after a jump with no frame, a {@code RET}), every builder call
 * is rewritten, which is always correct, only slower.
 */
final class ValueCallRewriter extends MethodVisitor {
    private static final byte OTHER = 0;
    private static final byte FRESH = 1;
    private static final byte UNINIT = 2;

    /** Marks of the operand stack's slots; {@code sp < 0}: unknown (every builder call rewritten). */
    private byte[] stack = new byte[16];
    private int sp;
    /** Stack depth at jump targets and handlers seen before their label. */
    private final Map<Label, Integer> targets = new HashMap<>();

    ValueCallRewriter(MethodVisitor mv) {
        super(Opcodes.ASM9, mv);
    }

    /** {@code classFile} with this rewriter alone applied to every method (its unit test, ValueCallRewriterTest). */
    static byte[] rewriteClass(byte[] classFile) {
        org.objectweb.asm.ClassReader r = new org.objectweb.asm.ClassReader(classFile);
        org.objectweb.asm.ClassWriter w = new org.objectweb.asm.ClassWriter(r, org.objectweb.asm.ClassWriter.COMPUTE_MAXS);
        r.accept(new org.objectweb.asm.ClassVisitor(Opcodes.ASM9, w) {
            @Override
            public MethodVisitor visitMethod(int access, String name, String desc, String sig, String[] ex) {
                return new ValueCallRewriter(super.visitMethod(access, name, desc, sig, ex));
            }
        }, 0);
        return w.toByteArray();
    }

    private static boolean builder(String internal) {
        return internal.equals("java/lang/StringBuilder") || internal.equals("java/lang/StringBuffer");
    }

    // ------------------------------------------------------------------ the operand stack's marks

    private void push(byte m) {
        if (sp < 0) {
            return;
        }
        if (sp == stack.length) {
            stack = java.util.Arrays.copyOf(stack, sp * 2);
        }
        stack[sp++] = m;
    }

    private void push(int slots) {
        for (int i = 0; i < slots; i++) {
            push(OTHER);
        }
    }

    /** Pops {@code n} slots; a fresh builder among them left the stack: no builder is fresh any more. */
    private void pop(int n) {
        if (sp < 0) {
            return;
        }
        if (n > sp) {
            sp = -1;
            return;
        }
        boolean escaped = false;
        for (int i = sp - n; i < sp; i++) {
            escaped |= stack[i] != OTHER;
        }
        sp -= n;
        if (escaped) {
            unfresh();
        }
    }

    private void unfresh() {
        for (int i = 0; i < sp; i++) {
            stack[i] = OTHER;
        }
    }

    private void effect(int pops, int pushes) {
        pop(pops);
        push(pushes);
    }

    private void unknown() {
        sp = -1;
    }

    private byte at(int fromTop) {
        return sp > fromTop ? stack[sp - 1 - fromTop] : OTHER;
    }

    private void target(Label l) {
        if (sp >= 0 && !targets.containsKey(l)) {
            targets.put(l, sp);
        }
    }

    private static int slots(Object frameType) {
        return frameType == Opcodes.LONG || frameType == Opcodes.DOUBLE ? 2 : 1;
    }

    private void depth(int d) {
        if (d > stack.length) {
            stack = new byte[d * 2];
        }
        java.util.Arrays.fill(stack, 0, d, OTHER);
        sp = d;
    }

    @Override
    public void visitFrame(int type, int numLocal, Object[] local, int numStack, Object[] st) {
        int d = 0;
        if (type == Opcodes.F_NEW || type == Opcodes.F_FULL) {
            for (int i = 0; i < numStack; i++) {
                d += slots(st[i]);
            }
        } else if (type == Opcodes.F_SAME1) {
            d = slots(st[0]);
        }
        depth(d); // a merge point: what is on the stack may come from elsewhere, so nothing is fresh
        super.visitFrame(type, numLocal, local, numStack, st);
    }

    @Override
    public void visitLabel(Label label) {
        Integer d = targets.get(label);
        if (d != null) {
            if (sp < 0) {
                depth(d);
            } else {
                unfresh(); // a jump target (class files without frames): a merge point
            }
        }
        super.visitLabel(label);
    }

    @Override
    public void visitTryCatchBlock(Label start, Label end, Label handler, String type) {
        targets.put(handler, 1);
        super.visitTryCatchBlock(start, end, handler, type);
    }

    @Override
    public void visitInsn(int op) {
        insn(op);
        super.visitInsn(op);
    }

    private void insn(int op) {
        if (sp < 0) {
            return;
        }
        switch (op) {
            case Opcodes.NOP:
                break;
            case Opcodes.ACONST_NULL: case Opcodes.ICONST_M1: case Opcodes.ICONST_0: case Opcodes.ICONST_1:
            case Opcodes.ICONST_2: case Opcodes.ICONST_3: case Opcodes.ICONST_4: case Opcodes.ICONST_5:
            case Opcodes.FCONST_0: case Opcodes.FCONST_1: case Opcodes.FCONST_2:
                push(1);
                break;
            case Opcodes.LCONST_0: case Opcodes.LCONST_1: case Opcodes.DCONST_0: case Opcodes.DCONST_1:
                push(2);
                break;
            case Opcodes.IALOAD: case Opcodes.FALOAD: case Opcodes.AALOAD: case Opcodes.BALOAD: case Opcodes.CALOAD:
            case Opcodes.SALOAD:
                effect(2, 1);
                break;
            case Opcodes.LALOAD: case Opcodes.DALOAD:
                effect(2, 2);
                break;
            case Opcodes.IASTORE: case Opcodes.FASTORE: case Opcodes.AASTORE: case Opcodes.BASTORE: case Opcodes.CASTORE:
            case Opcodes.SASTORE:
                pop(3);
                break;
            case Opcodes.LASTORE: case Opcodes.DASTORE:
                pop(4);
                break;
            case Opcodes.POP:
                pop(1);
                break;
            case Opcodes.POP2:
                pop(2);
                break;
            case Opcodes.DUP:
                push(at(0));
                break;
            case Opcodes.DUP_X1:
                dupX(1, 1);
                break;
            case Opcodes.DUP_X2:
                dupX(1, 2);
                break;
            case Opcodes.DUP2:
                dupX(2, 0);
                break;
            case Opcodes.DUP2_X1:
                dupX(2, 1);
                break;
            case Opcodes.DUP2_X2:
                dupX(2, 2);
                break;
            case Opcodes.SWAP: {
                if (sp < 2) {
                    unknown();
                    break;
                }
                byte a = stack[sp - 1];
                stack[sp - 1] = stack[sp - 2];
                stack[sp - 2] = a;
                break;
            }
            case Opcodes.IADD: case Opcodes.FADD: case Opcodes.ISUB: case Opcodes.FSUB: case Opcodes.IMUL: case Opcodes.FMUL:
            case Opcodes.IDIV: case Opcodes.FDIV: case Opcodes.IREM: case Opcodes.FREM: case Opcodes.ISHL: case Opcodes.ISHR:
            case Opcodes.IUSHR: case Opcodes.IAND: case Opcodes.IOR: case Opcodes.IXOR: case Opcodes.FCMPL: case Opcodes.FCMPG:
                effect(2, 1);
                break;
            case Opcodes.LADD: case Opcodes.DADD: case Opcodes.LSUB: case Opcodes.DSUB: case Opcodes.LMUL: case Opcodes.DMUL:
            case Opcodes.LDIV: case Opcodes.DDIV: case Opcodes.LREM: case Opcodes.DREM: case Opcodes.LAND: case Opcodes.LOR:
            case Opcodes.LXOR:
                effect(4, 2);
                break;
            case Opcodes.LSHL: case Opcodes.LSHR: case Opcodes.LUSHR:
                effect(3, 2);
                break;
            case Opcodes.INEG: case Opcodes.FNEG: case Opcodes.I2F: case Opcodes.F2I: case Opcodes.I2B: case Opcodes.I2C:
            case Opcodes.I2S: case Opcodes.ARRAYLENGTH:
                effect(1, 1);
                break;
            case Opcodes.LNEG: case Opcodes.DNEG: case Opcodes.L2D: case Opcodes.D2L:
                effect(2, 2);
                break;
            case Opcodes.I2L: case Opcodes.I2D: case Opcodes.F2L: case Opcodes.F2D:
                effect(1, 2);
                break;
            case Opcodes.L2I: case Opcodes.L2F: case Opcodes.D2I: case Opcodes.D2F:
                effect(2, 1);
                break;
            case Opcodes.LCMP: case Opcodes.DCMPL: case Opcodes.DCMPG:
                effect(4, 1);
                break;
            case Opcodes.MONITORENTER: case Opcodes.MONITOREXIT:
                pop(1);
                break;
            default: // the returns, ATHROW: nothing follows on this path
                unknown();
        }
    }

    /** DUP/DUP2 (width 1/2) inserted {@code under} slots down. */
    private void dupX(int width, int under) {
        if (sp < width + under) {
            unknown();
            return;
        }
        byte[] top = java.util.Arrays.copyOfRange(stack, sp - width, sp);
        byte[] below = java.util.Arrays.copyOfRange(stack, sp - width - under, sp - width);
        sp -= width + under;
        for (byte b : top) {
            push(b);
        }
        for (byte b : below) {
            push(b);
        }
        for (byte b : top) {
            push(b);
        }
    }

    @Override
    public void visitIntInsn(int op, int operand) {
        if (op == Opcodes.NEWARRAY) {
            effect(1, 1);
        } else {
            push(1);
        }
        super.visitIntInsn(op, operand);
    }

    @Override
    public void visitVarInsn(int op, int var) {
        switch (op) {
            case Opcodes.ILOAD: case Opcodes.FLOAD: case Opcodes.ALOAD:
                push(1);
                break;
            case Opcodes.LLOAD: case Opcodes.DLOAD:
                push(2);
                break;
            case Opcodes.ISTORE: case Opcodes.FSTORE: case Opcodes.ASTORE:
                pop(1);
                break;
            case Opcodes.LSTORE: case Opcodes.DSTORE:
                pop(2);
                break;
            default: // RET
                unknown();
        }
        super.visitVarInsn(op, var);
    }

    @Override
    public void visitTypeInsn(int op, String type) {
        if (op == Opcodes.NEW) {
            push(builder(type) ? UNINIT : OTHER);
        } else if (op == Opcodes.ANEWARRAY || op == Opcodes.INSTANCEOF) {
            effect(1, 1);
        } // CHECKCAST: the same value
        super.visitTypeInsn(op, type);
    }

    @Override
    public void visitFieldInsn(int op, String owner, String name, String desc) {
        int size = Type.getType(desc).getSize();
        switch (op) {
            case Opcodes.GETSTATIC:
                push(size);
                break;
            case Opcodes.PUTSTATIC:
                pop(size);
                break;
            case Opcodes.GETFIELD:
                effect(1, size);
                break;
            default:
                pop(1 + size);
        }
        super.visitFieldInsn(op, owner, name, desc);
    }

    @Override
    public void visitJumpInsn(int op, Label label) {
        switch (op) {
            case Opcodes.IFEQ: case Opcodes.IFNE: case Opcodes.IFLT: case Opcodes.IFGE: case Opcodes.IFGT: case Opcodes.IFLE:
            case Opcodes.IFNULL: case Opcodes.IFNONNULL:
                pop(1);
                target(label);
                break;
            case Opcodes.GOTO:
                target(label);
                unknown();
                break;
            case Opcodes.JSR:
                unknown();
                break;
            default: // IF_ICMPxx, IF_ACMPxx
                pop(2);
                target(label);
        }
        super.visitJumpInsn(op, label);
    }

    @Override
    public void visitLdcInsn(Object value) {
        push(value instanceof Long || value instanceof Double ? 2 : 1);
        super.visitLdcInsn(value);
    }

    @Override
    public void visitTableSwitchInsn(int min, int max, Label dflt, Label... labels) {
        pop(1);
        target(dflt);
        for (Label l : labels) {
            target(l);
        }
        unknown();
        super.visitTableSwitchInsn(min, max, dflt, labels);
    }

    @Override
    public void visitLookupSwitchInsn(Label dflt, int[] keys, Label[] labels) {
        pop(1);
        target(dflt);
        for (Label l : labels) {
            target(l);
        }
        unknown();
        super.visitLookupSwitchInsn(dflt, keys, labels);
    }

    @Override
    public void visitMultiANewArrayInsn(String desc, int dims) {
        effect(dims, 1);
        super.visitMultiANewArrayInsn(desc, dims);
    }

    @Override
    public void visitInvokeDynamicInsn(String name, String desc, Handle bsm, Object... args) {
        effect((Type.getArgumentsAndReturnSizes(desc) >> 2) - 1, Type.getReturnType(desc).getSize()); // no receiver
        super.visitInvokeDynamicInsn(name, desc, bsm, args);
    }

    @Override
    public void visitMethodInsn(int opcode, String owner, String name, String desc, boolean itf) {
        int argSlots = (Type.getArgumentsAndReturnSizes(desc) >> 2) - 1; // without the receiver
        int ret = Type.getReturnType(desc).getSize();
        String twins = null;
        String t = null;
        boolean freshResult = false;
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
            } else if (builder(owner)) {
                String b = BuilderCalls.target(owner, name, desc);
                if (b != null) {
                    if (sp >= 0 && at(argSlots) == FRESH) {
                        freshResult = ret == 1; // a fresh builder's own chain: the JDK call, its result still fresh
                    } else {
                        twins = "dev/kiln/agent/rt/BuilderCalls";
                        t = b;
                    }
                }
            }
        }
        // the stack: arguments (a fresh builder passed as one escapes), then the receiver
        if (sp >= 0) {
            if (opcode == Opcodes.INVOKESPECIAL && name.equals("<init>") && builder(owner) && at(argSlots) == UNINIT) {
                pop(argSlots);
                sp--; // the receiver: its other copy (the DUP) is the initialised, fresh builder
                for (int i = 0; i < sp; i++) {
                    if (stack[i] == UNINIT) {
                        stack[i] = FRESH;
                    }
                }
            } else {
                pop(argSlots);
                if (opcode != Opcodes.INVOKESTATIC) {
                    if (sp < 1) {
                        unknown();
                    } else {
                        sp--; // the receiver: a call on a fresh builder does not let it out
                    }
                }
            }
            if (freshResult) {
                push(FRESH);
            } else {
                push(ret);
            }
        }
        if (t != null) {
            super.visitMethodInsn(Opcodes.INVOKESTATIC, twins, t, "(L" + owner + ";" + desc.substring(1), false);
            return;
        }
        super.visitMethodInsn(opcode, owner, name, desc, itf);
    }
}
