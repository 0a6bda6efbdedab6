package dev.kiln.agent;

import dev.kiln.agent.rt.Dmi;
import dev.kiln.agent.rt.NamedLocks;

import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Weaving of {@code <distributed-methods>} and {@code <named-lock>} (see {@link Dmi},
 * {@link NamedLocks}, docs/agent.md). A matched method {@code m} keeps its name, descriptor and
 * access as a generated wrapper; its code moves to a private synthetic method
 * ({@code $kiln$dmi$m}, {@code $kiln$named$m}), which the transformer then treats as it would
 * have treated {@code m} (autolock barriers, {@code synchronized} wrapping). With both rules the
 * DMI wrapper is outermost (the call is distributed after the named lock is released, so its
 * changes are committed first). Wrappers are straight-line code around one call with one
 * catch-all handler (one hand-written full frame), like the {@code synchronized} wrapper.
 */
final class MethodWrappers {
    private MethodWrappers() {}

    private static final String DMI = "dev/kiln/agent/rt/Dmi";
    private static final String NAMED = "dev/kiln/agent/rt/NamedLocks";

    /** The method the transformer goes on to emit in place of the original: name and access. */
    static final class Body {
        final String name;
        final int access;

        Body(String name, int access) {
            this.name = name;
            this.access = access;
        }
    }

    /**
     * Emits the wrappers {@code mi} asks for, for method {@code mname} of class {@code owner}
     * (internal name); returns the body to emit instead of the original, or null when nothing
     * applies (no rule, a constructor or class initializer, a DMI on a static method: reported).
     */
    static Body wrap(ClassVisitor cv, String owner, boolean itf, boolean frames, int access, String mname, String desc,
                     String signature, String[] exceptions, ClassRules.MethodInfo mi) {
        if (mi == null || mname.startsWith("<") || itf) {
            return null;
        }
        boolean stat = (access & Opcodes.ACC_STATIC) != 0;
        String dotted = owner.replace('/', '.');
        Body b = null;
        String name = mname;
        int acc = access;
        if (mi.dmi != 0) {
            if (stat) {
                KilnAgentLog.report("kiln: distributed method " + dotted + "." + mname + desc
                        + " is static: a distributed call needs a receiver; it runs locally only");
            } else {
                int idx = Dmi.register(dotted, mname, desc, mi.dmi == 1);
                String body = "$kiln$dmi$" + name;
                emit(cv, owner, acc, name, desc, signature, exceptions, body, idx, true, frames);
                acc = bodyAccess(acc);
                name = body;
                b = new Body(name, acc);
            }
        }
        if (mi.namedLock != null && mi.namedLevel > 0) {
            int idx = NamedLocks.register(mi.namedLock, mi.namedLevel);
            String body = "$kiln$named$" + name;
            emit(cv, owner, acc, name, desc, signature, exceptions, body, idx, false, frames);
            b = new Body(body, bodyAccess(acc));
        }
        return b;
    }

    /** The moved code: private, synthetic, not a bridge or varargs; static and synchronized kept. */
    private static int bodyAccess(int access) {
        return (access & ~(Opcodes.ACC_PUBLIC | Opcodes.ACC_PROTECTED | Opcodes.ACC_BRIDGE | Opcodes.ACC_VARARGS))
                | Opcodes.ACC_PRIVATE | Opcodes.ACC_SYNTHETIC;
    }

    /**
     * {@code name(args)}: pre; body(args); post; return — and on any throwable: post; rethrow.
     * DMI: {@code Dmi.enter()} / {@code Dmi.exit(this, idx, args)} / {@code Dmi.abort()}.
     * Named lock: {@code NamedLocks.enter(idx)} / {@code NamedLocks.exit(idx)} (both paths).
     */
    private static void emit(ClassVisitor cv, String owner, int access, String name, String desc, String signature,
                             String[] exceptions, String body, int idx, boolean dmi, boolean frames) {
        boolean stat = (access & Opcodes.ACC_STATIC) != 0;
        MethodVisitor w = cv.visitMethod(access & ~Opcodes.ACC_SYNCHRONIZED, name, desc, signature, exceptions);
        Type[] args = Type.getArgumentTypes(desc);
        Type ret = Type.getReturnType(desc);
        Label start = new Label();
        Label end = new Label();
        Label handler = new Label();
        w.visitCode();
        w.visitTryCatchBlock(start, end, handler, null);
        if (dmi) {
            w.visitMethodInsn(Opcodes.INVOKESTATIC, DMI, "enter", "()V", false);
        } else {
            w.visitLdcInsn(idx);
            w.visitMethodInsn(Opcodes.INVOKESTATIC, NAMED, "enter", "(I)V", false);
        }
        w.visitLabel(start);
        int first = stat ? 0 : 1;
        if (!stat) {
            w.visitVarInsn(Opcodes.ALOAD, 0);
        }
        Object[] locals = new Object[args.length + first];
        if (!stat) {
            locals[0] = owner;
        }
        int slot = first;
        for (int i = 0; i < args.length; i++) {
            w.visitVarInsn(args[i].getOpcode(Opcodes.ILOAD), slot);
            slot += args[i].getSize();
            locals[i + first] = frameType(args[i]);
        }
        w.visitMethodInsn(stat ? Opcodes.INVOKESTATIC : Opcodes.INVOKESPECIAL, owner, body, desc, false);
        w.visitLabel(end);
        if (dmi) {
            w.visitVarInsn(Opcodes.ALOAD, 0);
            w.visitLdcInsn(idx);
            w.visitLdcInsn(args.length);
            w.visitTypeInsn(Opcodes.ANEWARRAY, "java/lang/Object");
            slot = 1;
            for (int i = 0; i < args.length; i++) {
                w.visitInsn(Opcodes.DUP);
                w.visitLdcInsn(i);
                w.visitVarInsn(args[i].getOpcode(Opcodes.ILOAD), slot);
                box(w, args[i]);
                w.visitInsn(Opcodes.AASTORE);
                slot += args[i].getSize();
            }
            w.visitMethodInsn(Opcodes.INVOKESTATIC, DMI, "exit", "(Ljava/lang/Object;I[Ljava/lang/Object;)V", false);
        } else {
            w.visitLdcInsn(idx);
            w.visitMethodInsn(Opcodes.INVOKESTATIC, NAMED, "exit", "(I)V", false);
        }
        w.visitInsn(ret.getOpcode(Opcodes.IRETURN));
        w.visitLabel(handler);
        if (frames) { // none in class files before Java 6 (see KilnTransformer.Adder.visit)
            w.visitFrame(Opcodes.F_FULL, locals.length, locals, 1, new Object[] {"java/lang/Throwable"});
        }
        if (dmi) {
            w.visitMethodInsn(Opcodes.INVOKESTATIC, DMI, "abort", "()V", false);
        } else {
            w.visitLdcInsn(idx);
            w.visitMethodInsn(Opcodes.INVOKESTATIC, NAMED, "exit", "(I)V", false);
        }
        w.visitInsn(Opcodes.ATHROW);
        w.visitMaxs(0, 0);
        w.visitEnd();
    }

    private static Object frameType(Type t) {
        switch (t.getSort()) {
            case Type.LONG: return Opcodes.LONG;
            case Type.DOUBLE: return Opcodes.DOUBLE;
            case Type.FLOAT: return Opcodes.FLOAT;
            case Type.OBJECT:
            case Type.ARRAY: return t.getInternalName();
            default: return Opcodes.INTEGER;
        }
    }

    private static void box(MethodVisitor w, Type t) {
        String box;
        switch (t.getSort()) {
            case Type.BOOLEAN: box = "java/lang/Boolean"; break;
            case Type.BYTE: box = "java/lang/Byte"; break;
            case Type.CHAR: box = "java/lang/Character"; break;
            case Type.SHORT: box = "java/lang/Short"; break;
            case Type.INT: box = "java/lang/Integer"; break;
            case Type.LONG: box = "java/lang/Long"; break;
            case Type.FLOAT: box = "java/lang/Float"; break;
            case Type.DOUBLE: box = "java/lang/Double"; break;
            default: return;
        }
        w.visitMethodInsn(Opcodes.INVOKESTATIC, box, "valueOf", "(" + t.getDescriptor() + ")L" + box + ";", false);
    }
}
