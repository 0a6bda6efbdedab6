package dev.kiln.agent;

import dev.kiln.agent.rt.Managed;

import java.lang.instrument.ClassFileTransformer;
import java.security.ProtectionDomain;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The load-time class transformer of the transparent agent. For a class that
 * {@code <instrumented-classes>} includes (an {@code <include>} matches its name and no later
 * {@code <exclude>} does), it adds the object-id field {@code long $kiln$oid} and implements
 * {@link Managed} — unless its superclass is itself included (it then inherits both).
 *
 * <p>Never throws into the JVM: a class that fails to instrument is reported on stderr with the
 * reason and loads unchanged. JDK classes (bootstrap loader, {@code java.}, {@code jdk.},
 * {@code sun.}...) and the agent's own classes are never touched: the JDK is loaded before
 * {@code premain} and retransformation cannot add fields (see docs/agent.md).
 */
final class KilnTransformer implements ClassFileTransformer {
    static final String MANAGED = Type.internal(Managed.class);
    static final String OID = Managed.OID_FIELD;

    private static final String[] NEVER = {
        "java/", "javax/", "jdk/", "sun/", "com/sun/", "dev/kiln/", "com/tc/object/tx/", "com/tc/exception/",
    };

    private final ClassRules rules;
    /** Guards against transforming classes loaded by the transformer itself. */
    private final ThreadLocal<Boolean> busy = new ThreadLocal<>();

    /** "owner.name" (internal owner) of each configured root field -> its index in Runtime. */
    private final java.util.Map<String, Integer> rootIndex = new java.util.HashMap<>();

    KilnTransformer(ClassRules rules) {
        this.rules = rules;
        java.util.List<String[]> slots = new java.util.ArrayList<>();
        for (ClassRules.Root r : rules.roots) {
            rootIndex.put(r.className.replace('.', '/') + "." + r.field, slots.size());
            slots.add(new String[] {r.name, r.className});
        }
        dev.kiln.agent.rt.Runtime.configureRoots(slots);
        dev.kiln.agent.rt.Runtime.configureTransient(f -> {
            ClassRules.ClassInfo ci = rules.classInfo(f.getDeclaringClass().getName());
            return ci != null && ((ci.honorTransient && java.lang.reflect.Modifier.isTransient(f.getModifiers()))
                    || ci.transientFields.contains(f.getName()));
        });
        dev.kiln.agent.rt.OnLoad.configure(cn -> { // <on-load> (rt/OnLoad.java)
            ClassRules.ClassInfo ci = rules.classInfo(cn);
            return ci == null || ci.onLoad == null ? null : new String[] {ci.onLoad, ci.onLoadExecute ? "execute" : "method"};
        }, KilnAgentLog::report);
    }

    static boolean never(String internalName) {
        for (String p : NEVER) {
            if (internalName.startsWith(p)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public byte[] transform(ClassLoader loader, String className, Class<?> redefined, ProtectionDomain pd,
                            byte[] bytes) {
        if (loader == null || className == null || redefined != null || never(className) || busy.get() != null) {
            return null;
        }
        busy.set(Boolean.TRUE);
        try {
            String dotted = className.replace('/', '.');
            boolean inst = rules.instrumented(dotted);
            if (!inst && rootIndex.isEmpty()) {
                return null;
            }
            dev.kiln.agent.rt.Runtime.noteLoader(loader);
            return instrument(bytes, inst);
        } catch (Throwable t) {
            String dotted = className.replace('/', '.');
            KilnAgentLog.report("kiln: could not instrument " + dotted + ", left as it was: " + t);
            try {
                if (rules.instrumented(dotted)) {
                    dev.kiln.agent.rt.Runtime.noteInstrumentFailure(dotted, t.toString());
                }
            } catch (Throwable ignored) {
                // the report above is what matters
            }
            return null;
        } finally {
            busy.remove();
        }
    }

    /**
     * The class with root-field accesses routed through the runtime and, when {@code inst}, the
     * oid field and {@link Managed} added (null: nothing to change).
     */
    byte[] instrument(byte[] bytes, boolean inst) {
        ClassReader reader = new ClassReader(bytes);
        int access = reader.getAccess();
        boolean addField = inst;
        if ((access & (Opcodes.ACC_INTERFACE | Opcodes.ACC_ANNOTATION | Opcodes.ACC_MODULE)) != 0) {
            addField = false;
        }
        String superName = reader.getSuperName();
        if ("java/lang/Enum".equals(superName) || "java/lang/Record".equals(superName)) {
            addField = false; // enums are literals; records have final fields only
        }
        if (addField && superName != null && !never(superName) && rules.instrumented(superName.replace('/', '.'))) {
            addField = false; // inherits the field and the interface
        }
        String kilnSuper = inst && addField ? SuperRewriter.kilnSuper(reader) : null;
        if (kilnSuper != null) {
            addField = false; // the Kiln collection has the field and the interface
        }
        ClassWriter writer = new ClassWriter(reader, ClassWriter.COMPUTE_MAXS);
        Adder adder = new Adder(writer, addField, inst);
        ClassVisitor chain = inst ? new InjectionAdapter(adder) : adder; // DsoCluster fields (docs/agent.md)
        if (kilnSuper != null) {
            chain = new SuperRewriter(chain, superName, kilnSuper);
        }
        reader.accept(chain, 0);
        return addField || inst || adder.rewrote ? writer.toByteArray() : null;
    }

    private static final String RUNTIME = "dev/kiln/agent/rt/Runtime";
    /** The {@code <lock-level>read</lock-level>} autolock level (protocol LockLevel 1). */
    private static final int READ = 1;
    private static final java.util.Map<String, String> BOXES = new java.util.HashMap<>();
    private static final java.util.Map<String, String> UNBOX = new java.util.HashMap<>();

    static {
        String[][] t = {{"Z", "java/lang/Boolean", "booleanValue"}, {"B", "java/lang/Byte", "byteValue"},
            {"C", "java/lang/Character", "charValue"}, {"S", "java/lang/Short", "shortValue"},
            {"I", "java/lang/Integer", "intValue"}, {"J", "java/lang/Long", "longValue"},
            {"F", "java/lang/Float", "floatValue"}, {"D", "java/lang/Double", "doubleValue"}};
        for (String[] r : t) {
            BOXES.put(r[0], r[1]);
            UNBOX.put(r[0], r[2]);
        }
    }

    /**
     * In an instrumented class: after every PUTFIELD on an instrumented class's field, a call
     * that records the change when the object is shared ({@code Runtime.afterPut}); in a method an
     * {@code <autolock>} matches, each MONITORENTER/MONITOREXIT is preceded by a call of
     * {@code Runtime.monitorEnter/monitorExit} with its object (cluster lock for shared objects;
     * the JVM monitor is taken as well, on the same object). Straight-line
     * stack shuffles only: frames stay valid.
     */
    private final class Barriers extends MethodVisitor {
        private final Adder adder;
        private final String self;
        private final boolean ctor;
        private final int level;

        Barriers(MethodVisitor mv, Adder adder, String self, boolean ctor, int level) {
            super(Opcodes.ASM9, mv);
            this.adder = adder;
            this.self = self;
            this.ctor = ctor;
            this.level = level;
        }

        @Override
        public void visitInsn(int opcode) {
            // [obj] -> [obj, obj] -> Runtime call -> [obj] -> the original MONITORENTER/EXIT on obj:
            // the JIT still pairs each exit with its enter (an operand that came from a call
            // would make it give up compiling the method).
            int st = stage;
            stage = opcode == Opcodes.DUP ? 1 : 0;
            if (level == READ && opcode == Opcodes.MONITORENTER && st == 2) {
                // Read level, javac's shape `DUP; ASTORE n; MONITORENTER` (n: the block's lock
                // variable, which every MONITOREXIT of the block loads): [x] -> readEnter(x) ->
                // [m] -> [m, m] -> ASTORE n -> MONITORENTER m. For a shared x, m is a
                // thread-private ReadHold (readers of one JVM run at once); else x itself. The
                // exits load n, so the JIT still pairs each exit with this enter by origin.
                adder.rewrote = true;
                super.visitMethodInsn(Opcodes.INVOKESTATIC, RUNTIME, "readEnter", "(Ljava/lang/Object;)Ljava/lang/Object;", false);
                super.visitInsn(Opcodes.DUP);
                super.visitVarInsn(Opcodes.ASTORE, lockVar);
                super.visitInsn(Opcodes.MONITORENTER);
                return;
            }
            if (level > 0 && opcode == Opcodes.MONITORENTER) {
                adder.rewrote = true;
                super.visitInsn(Opcodes.DUP);
                super.visitLdcInsn(level);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, RUNTIME, "monitorEnter", "(Ljava/lang/Object;I)V", false);
            } else if (level > 0 && opcode == Opcodes.MONITOREXIT) {
                adder.rewrote = true;
                super.visitInsn(Opcodes.DUP);
                if (selfEnd != null && !jumpTargets.contains(selfEnd)) {
                    // In a catch-all handler that covers itself (javac's exceptional exit of a
                    // synchronized block): a call there makes C1 refuse the method ("exception
                    // handler covers itself"), so the monitor's object stays on the stack and the
                    // call follows the covered range (nothing jumps to its end label).
                    super.visitInsn(Opcodes.MONITOREXIT);
                    pendingExit = true;
                    return;
                }
                super.visitMethodInsn(Opcodes.INVOKESTATIC, RUNTIME, "monitorExit", "(Ljava/lang/Object;)V", false);
            }
            super.visitInsn(opcode);
        }

        /**
         * Read-level shape tracking: 1 after a DUP, 2 after `DUP; ASTORE lockVar`, 0 after
         * anything else (every visited instruction or label resets it).
         */
        private int stage;
        private int lockVar;

        @Override
        public void visitVarInsn(int opcode, int var) {
            if (opcode == Opcodes.ASTORE && stage == 1) {
                stage = 2;
                lockVar = var;
            } else {
                stage = 0;
            }
            super.visitVarInsn(opcode, var);
        }

        @Override
        public void visitIntInsn(int opcode, int operand) {
            stage = 0;
            super.visitIntInsn(opcode, operand);
        }

        @Override
        public void visitTypeInsn(int opcode, String type) {
            stage = 0;
            super.visitTypeInsn(opcode, type);
        }

        @Override
        public void visitLdcInsn(Object value) {
            stage = 0;
            super.visitLdcInsn(value);
        }

        @Override
        public void visitIincInsn(int var, int increment) {
            stage = 0;
            super.visitIincInsn(var, increment);
        }

        @Override
        public void visitInvokeDynamicInsn(String name, String desc, org.objectweb.asm.Handle bsm, Object... args) {
            stage = 0;
            super.visitInvokeDynamicInsn(name, desc, bsm, args);
        }

        @Override
        public void visitMultiANewArrayInsn(String desc, int dims) {
            stage = 0;
            super.visitMultiANewArrayInsn(desc, dims);
        }

        @Override
        public void visitFrame(int type, int nLocal, Object[] local, int nStack, Object[] stack) {
            stage = 0;
            super.visitFrame(type, nLocal, local, nStack, stack);
        }

        /** Start label -> end label of each try-catch range whose handler is its own start. */
        private final java.util.Map<org.objectweb.asm.Label, org.objectweb.asm.Label> selfCovering = new java.util.IdentityHashMap<>();
        /** Labels some jump or switch visited so far targets. */
        private final java.util.Set<org.objectweb.asm.Label> jumpTargets = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        /** End of the self-covering range the visitor is in, if any. */
        private org.objectweb.asm.Label selfEnd;
        private boolean pendingExit;

        @Override
        public void visitTryCatchBlock(org.objectweb.asm.Label start, org.objectweb.asm.Label end,
                                       org.objectweb.asm.Label handler, String type) {
            if (start == handler) {
                selfCovering.put(start, end);
            }
            super.visitTryCatchBlock(start, end, handler, type);
        }

        @Override
        public void visitLabel(org.objectweb.asm.Label label) {
            stage = 0;
            super.visitLabel(label);
            if (label == selfEnd) {
                selfEnd = null;
                if (pendingExit) {
                    pendingExit = false;
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, RUNTIME, "monitorExit", "(Ljava/lang/Object;)V", false);
                }
            }
            org.objectweb.asm.Label end = selfCovering.get(label);
            if (end != null) {
                selfEnd = end;
            }
        }

        @Override
        public void visitJumpInsn(int opcode, org.objectweb.asm.Label label) {
            stage = 0;
            jumpTargets.add(label);
            super.visitJumpInsn(opcode, label);
        }

        @Override
        public void visitTableSwitchInsn(int min, int max, org.objectweb.asm.Label dflt, org.objectweb.asm.Label... labels) {
            stage = 0;
            jumpTargets.add(dflt);
            jumpTargets.addAll(java.util.Arrays.asList(labels));
            super.visitTableSwitchInsn(min, max, dflt, labels);
        }

        @Override
        public void visitLookupSwitchInsn(org.objectweb.asm.Label dflt, int[] keys, org.objectweb.asm.Label[] labels) {
            stage = 0;
            jumpTargets.add(dflt);
            jumpTargets.addAll(java.util.Arrays.asList(labels));
            super.visitLookupSwitchInsn(dflt, keys, labels);
        }

        @Override
        public void visitMethodInsn(int opcode, String mowner, String mname, String desc, boolean itf) {
            stage = 0;
            if (opcode == Opcodes.INVOKEVIRTUAL && !mowner.startsWith("[")) {
                String target = null;
                String tdesc = null;
                if (mname.equals("wait") && desc.equals("()V")) {
                    target = "objWait";
                    tdesc = "(Ljava/lang/Object;)V";
                } else if (mname.equals("wait") && desc.equals("(J)V")) {
                    target = "objWait";
                    tdesc = "(Ljava/lang/Object;J)V";
                } else if (mname.equals("notify") && desc.equals("()V")) {
                    target = "objNotify";
                    tdesc = "(Ljava/lang/Object;)V";
                } else if (mname.equals("notifyAll") && desc.equals("()V")) {
                    target = "objNotifyAll";
                    tdesc = "(Ljava/lang/Object;)V";
                }
                if (target != null) {
                    adder.rewrote = true;
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, RUNTIME, target, tdesc, false);
                    return;
                }
            }
            super.visitMethodInsn(opcode, mowner, mname, desc, itf);
        }

        @Override
        public void visitFieldInsn(int opcode, String fowner, String fname, String desc) {
            stage = 0;
            boolean ref = desc.startsWith("L") || desc.startsWith("[");
            if (opcode == Opcodes.GETFIELD && ref && !fname.equals(OID)
                    && !(ctor && fowner.equals(self))
                    && !rootIndex.containsKey(fowner + "." + fname)
                    && !never(fowner) && rules.instrumented(fowner.replace('/', '.'))) {
                // Lazy reference (docs/agent.md "Lazy faulting"): [obj] -> [obj, obj] -> [obj, v]
                // -> Runtime.lazyGet(obj, v, "owner.name") -> [v'] (v itself unless v is null and
                // obj is shared with that field not faulted yet). Straight-line: frames stay valid.
                adder.rewrote = true;
                super.visitInsn(Opcodes.DUP);
                super.visitFieldInsn(opcode, fowner, fname, desc);
                super.visitLdcInsn(fowner.replace('/', '.') + "." + fname);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, RUNTIME, "lazyGet", "(Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/String;)Ljava/lang/Object;", false);
                super.visitTypeInsn(Opcodes.CHECKCAST, desc.startsWith("L") ? desc.substring(1, desc.length() - 1) : desc);
                return;
            }
            boolean barrier = opcode == Opcodes.PUTFIELD && !fname.equals(OID)
                    && !(ctor && fowner.equals(self)) // the object under construction is not shared yet
                    && !rootIndex.containsKey(fowner + "." + fname)
                    && (!never(fowner) && rules.instrumented(fowner.replace('/', '.'))
                        || dev.kiln.agent.rt.SharedValues.barrieredOwner(fowner)); // p.x = 3 on an awt value
            if (!barrier) {
                super.visitFieldInsn(opcode, fowner, fname, desc);
                return;
            }
            adder.rewrote = true;
            if (desc.equals("J") || desc.equals("D")) {
                // [obj, vv] -> [obj, obj, vv] -> [obj, vv, obj, vv] -> PUTFIELD -> [obj, vv]
                // -> Runtime.afterPutV(obj, vv, ..): the value written
                super.visitInsn(Opcodes.DUP2_X1);
                super.visitInsn(Opcodes.POP2);
                super.visitInsn(Opcodes.DUP_X2);
                super.visitInsn(Opcodes.DUP_X2);
                super.visitInsn(Opcodes.POP);
                super.visitInsn(Opcodes.DUP2_X1);
                super.visitFieldInsn(opcode, fowner, fname, desc);
                super.visitLdcInsn(fowner.replace('/', '.'));
                super.visitLdcInsn(fname);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, RUNTIME, "afterPutV", "(Ljava/lang/Object;" + desc + "Ljava/lang/String;Ljava/lang/String;)V", false);
                return;
            } else if (ref) {
                // [obj, v] -> [obj, v, obj, v] -> PUTFIELD -> [obj, v] -> Runtime.afterPutRef(obj, v, ..):
                // the value written, so a racing lazy resolution of the same field cannot win
                super.visitInsn(Opcodes.DUP2);
                super.visitFieldInsn(opcode, fowner, fname, desc);
                super.visitLdcInsn(fowner.replace('/', '.'));
                super.visitLdcInsn(fname);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, RUNTIME, "afterPutRef", "(Ljava/lang/Object;Ljava/lang/Object;Ljava/lang/String;Ljava/lang/String;)V", false);
                return;
            } else {
                // [obj, v] -> [obj, v, obj, v] -> PUTFIELD -> [obj, v] -> Runtime.afterPutV(obj, v, ..):
                // the value written (a refresh of the same object under another lock, between the
                // PUTFIELD and the record, must not make this record the older value)
                super.visitInsn(Opcodes.DUP2);
                super.visitFieldInsn(opcode, fowner, fname, desc);
                super.visitLdcInsn(fowner.replace('/', '.'));
                super.visitLdcInsn(fname);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, RUNTIME, "afterPutV", "(Ljava/lang/Object;" + desc + "Ljava/lang/String;Ljava/lang/String;)V", false);
                return;
            }
        }
    }

    /**
     * Routes reads and writes of object-typed root fields through the runtime. Straight-line code
     * only (a CHECKCAST restores the field's type), so the class's stack map frames stay valid.
     */
    private final class RootAccess extends MethodVisitor {
        private final Adder owner;

        RootAccess(MethodVisitor mv, Adder owner) {
            super(Opcodes.ASM9, mv);
            this.owner = owner;
        }

        @Override
        public void visitFieldInsn(int opcode, String fowner, String name, String desc) {
            Integer idx = rootIndex.get(fowner + "." + name);
            if (idx == null) {
                super.visitFieldInsn(opcode, fowner, name, desc);
                return;
            }
            owner.rewrote = true;
            String box = BOXES.get(desc);
            if (box != null) {
                // A primitive root is a literal root: boxed through the same runtime calls.
                String unbox = UNBOX.get(desc);
                if (opcode == Opcodes.GETSTATIC || opcode == Opcodes.GETFIELD) {
                    super.visitFieldInsn(opcode, fowner, name, desc);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, box, "valueOf", "(" + desc + ")L" + box + ";", false);
                    super.visitLdcInsn(idx);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, RUNTIME, "readRoot", "(Ljava/lang/Object;I)Ljava/lang/Object;", false);
                    super.visitTypeInsn(Opcodes.CHECKCAST, box);
                    super.visitMethodInsn(Opcodes.INVOKEVIRTUAL, box, unbox, "()" + desc, false);
                } else {
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, box, "valueOf", "(" + desc + ")L" + box + ";", false);
                    super.visitLdcInsn(idx);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, RUNTIME, "writeRoot", "(Ljava/lang/Object;I)Ljava/lang/Object;", false);
                    super.visitTypeInsn(Opcodes.CHECKCAST, box);
                    super.visitMethodInsn(Opcodes.INVOKEVIRTUAL, box, unbox, "()" + desc, false);
                    super.visitFieldInsn(opcode, fowner, name, desc);
                }
                return;
            }
            String type = desc.startsWith("[") ? desc : desc.substring(1, desc.length() - 1);
            if (opcode == Opcodes.GETSTATIC || opcode == Opcodes.GETFIELD) {
                super.visitFieldInsn(opcode, fowner, name, desc);
                super.visitLdcInsn(idx);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, RUNTIME, "readRoot", "(Ljava/lang/Object;I)Ljava/lang/Object;", false);
                super.visitTypeInsn(Opcodes.CHECKCAST, type);
            } else {
                super.visitLdcInsn(idx);
                super.visitMethodInsn(Opcodes.INVOKESTATIC, RUNTIME, "writeRoot", "(Ljava/lang/Object;I)Ljava/lang/Object;", false);
                super.visitTypeInsn(Opcodes.CHECKCAST, type);
                super.visitFieldInsn(opcode, fowner, name, desc);
            }
        }
    }

    /** Adds the oid field and the Managed methods to the top instrumented class of a hierarchy. */
    private final class Adder extends ClassVisitor {
        private final boolean addField;
        private String name;
        private boolean already;
        private boolean itf;
        private boolean frames = true;
        boolean rewrote;

        @Override
        public MethodVisitor visitMethod(int access, String mname, String desc, String signature, String[] exceptions) {
            MethodVisitor mv;
            if (inst && (access & (Opcodes.ACC_ABSTRACT | Opcodes.ACC_NATIVE)) == 0) {
                ClassRules.MethodInfo mi = rules.methodInfo(name.replace('/', '.'), mname, desc, access);
                MethodWrappers.Body moved = MethodWrappers.wrap(cv, name, itf, frames, access, mname, desc, signature, exceptions, mi);
                if (moved != null) { // <distributed-methods>, <named-lock>: the original name is now a wrapper
                    rewrote = true;
                    mname = moved.name;
                    access = moved.access;
                }
                int level = mi == null ? 0 : mi.autolockLevel;
                boolean sync = (access & Opcodes.ACC_SYNCHRONIZED) != 0 || (mi != null && mi.autoSynchronized);
                if (level > 0 && sync && (access & Opcodes.ACC_STATIC) == 0 && !mname.startsWith("<")) {
                    // The body moves to a private method; the original name gets a wrapper that
                    // holds the cluster lock (shared receiver) or the plain monitor around the call.
                    String body = "$kiln$sync$" + mname;
                    wrapper(access & ~Opcodes.ACC_SYNCHRONIZED, mname, desc, signature, exceptions, body, level);
                    int bodyAccess = (access & ~(Opcodes.ACC_SYNCHRONIZED | Opcodes.ACC_PUBLIC | Opcodes.ACC_PROTECTED))
                            | Opcodes.ACC_PRIVATE | Opcodes.ACC_SYNTHETIC;
                    mv = super.visitMethod(bodyAccess, body, desc, signature, exceptions);
                } else {
                    mv = super.visitMethod(access, mname, desc, signature, exceptions);
                }
                if (mv != null) {
                    mv = new Barriers(new AtomicsRewriter(new WrappersRewriter(new ArrayStoreRewriter(new JdkAllocRewriter(new ValueCallRewriter(mv))))), this,
                            name, mname.equals("<init>"), level);
                }
            } else {
                mv = super.visitMethod(access, mname, desc, signature, exceptions);
            }
            return rootIndex.isEmpty() || mv == null ? mv : new RootAccess(mv, this);
        }

        private final boolean inst;

        Adder(ClassVisitor cv, boolean addField, boolean inst) {
            super(Opcodes.ASM9, cv);
            this.addField = addField;
            this.inst = inst;
        }

        /** {@code mname} calling {@code body} inside monitorEnter(this); MONITORENTER this ... monitorExit(this); MONITOREXIT this. */
        private void wrapper(int access, String mname, String desc, String signature, String[] exceptions,
                             String body, int level) {
            rewrote = true;
            MethodVisitor w = cv.visitMethod(access, mname, desc, signature, exceptions);
            org.objectweb.asm.Type[] args = org.objectweb.asm.Type.getArgumentTypes(desc);
            org.objectweb.asm.Type ret = org.objectweb.asm.Type.getReturnType(desc);
            org.objectweb.asm.Label start = new org.objectweb.asm.Label();
            org.objectweb.asm.Label end = new org.objectweb.asm.Label();
            org.objectweb.asm.Label handler = new org.objectweb.asm.Label();
            int slot = 1;
            Object[] locals = new Object[args.length + (level == READ ? 2 : 1)];
            locals[0] = name;
            for (int i = 0; i < args.length; i++) {
                slot += args[i].getSize();
                switch (args[i].getSort()) {
                    case org.objectweb.asm.Type.LONG: locals[i + 1] = Opcodes.LONG; break;
                    case org.objectweb.asm.Type.DOUBLE: locals[i + 1] = Opcodes.DOUBLE; break;
                    case org.objectweb.asm.Type.FLOAT: locals[i + 1] = Opcodes.FLOAT; break;
                    case org.objectweb.asm.Type.OBJECT:
                    case org.objectweb.asm.Type.ARRAY: locals[i + 1] = args[i].getInternalName(); break;
                    default: locals[i + 1] = Opcodes.INTEGER;
                }
            }
            // The monitor: `this`, or at read level the result of readEnter(this) kept in a new
            // local after the arguments (a ReadHold for a shared receiver: concurrent readers).
            int mon = level == READ ? slot : 0;
            if (level == READ) {
                locals[args.length + 1] = "java/lang/Object";
            }
            w.visitCode();
            w.visitTryCatchBlock(start, end, handler, null);
            w.visitVarInsn(Opcodes.ALOAD, 0);
            if (level == READ) {
                w.visitMethodInsn(Opcodes.INVOKESTATIC, RUNTIME, "readEnter", "(Ljava/lang/Object;)Ljava/lang/Object;", false);
                w.visitInsn(Opcodes.DUP);
                w.visitVarInsn(Opcodes.ASTORE, mon);
            } else {
                w.visitLdcInsn(level);
                w.visitMethodInsn(Opcodes.INVOKESTATIC, RUNTIME, "monitorEnter", "(Ljava/lang/Object;I)V", false);
                w.visitVarInsn(Opcodes.ALOAD, 0);
            }
            w.visitInsn(Opcodes.MONITORENTER);
            w.visitLabel(start);
            w.visitVarInsn(Opcodes.ALOAD, 0);
            slot = 1;
            for (int i = 0; i < args.length; i++) {
                w.visitVarInsn(args[i].getOpcode(Opcodes.ILOAD), slot);
                slot += args[i].getSize();
            }
            w.visitMethodInsn(Opcodes.INVOKESPECIAL, name, body, desc, false);
            w.visitLabel(end);
            w.visitVarInsn(Opcodes.ALOAD, mon);
            w.visitMethodInsn(Opcodes.INVOKESTATIC, RUNTIME, "monitorExit", "(Ljava/lang/Object;)V", false);
            w.visitVarInsn(Opcodes.ALOAD, mon);
            w.visitInsn(Opcodes.MONITOREXIT);
            w.visitInsn(ret.getOpcode(Opcodes.IRETURN));
            w.visitLabel(handler);
            if (frames) {
                w.visitFrame(Opcodes.F_FULL, locals.length, locals, 1, new Object[] {"java/lang/Throwable"});
            }
            w.visitVarInsn(Opcodes.ALOAD, mon);
            w.visitMethodInsn(Opcodes.INVOKESTATIC, RUNTIME, "monitorExit", "(Ljava/lang/Object;)V", false);
            w.visitVarInsn(Opcodes.ALOAD, mon);
            w.visitInsn(Opcodes.MONITOREXIT);
            w.visitInsn(Opcodes.ATHROW);
            w.visitMaxs(0, 0);
            w.visitEnd();
        }

        @Override
        public void visit(int version, int access, String name, String signature, String superName,
                          String[] interfaces) {
            this.name = name;
            this.itf = (access & Opcodes.ACC_INTERFACE) != 0;
            // Class files before Java 6 (version 50) have no StackMapTable and ASM refuses the
            // frames of newer ones in them (a Java 1.4 library's synchronized methods under an
            // <autolock>): the wrappers add none there (the verifier infers the types).
            this.frames = (version & 0xFFFF) >= Opcodes.V1_6;
            String[] ifs = interfaces == null ? new String[0] : interfaces;
            for (String i : ifs) {
                already |= i.equals(MANAGED);
            }
            if (addField && !already) {
                String[] more = new String[ifs.length + 1];
                System.arraycopy(ifs, 0, more, 0, ifs.length);
                more[ifs.length] = MANAGED;
                ifs = more;
            }
            super.visit(version, access, name, signature, superName, ifs);
        }

        @Override
        public void visitEnd() {
            if (addField && !already) {
                FieldVisitor f = cv.visitField(Opcodes.ACC_PUBLIC | Opcodes.ACC_TRANSIENT | Opcodes.ACC_SYNTHETIC
                        | Opcodes.ACC_VOLATILE, OID, "J", null, null);
                f.visitEnd();
                MethodVisitor get = cv.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_SYNTHETIC, OID, "()J", null, null);
                get.visitCode();
                get.visitVarInsn(Opcodes.ALOAD, 0);
                get.visitFieldInsn(Opcodes.GETFIELD, name, OID, "J");
                get.visitInsn(Opcodes.LRETURN);
                get.visitMaxs(2, 1);
                get.visitEnd();
                MethodVisitor set = cv.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_SYNTHETIC, OID, "(J)V", null, null);
                set.visitCode();
                set.visitVarInsn(Opcodes.ALOAD, 0);
                set.visitVarInsn(Opcodes.LLOAD, 1);
                set.visitFieldInsn(Opcodes.PUTFIELD, name, OID, "J");
                set.visitInsn(Opcodes.RETURN);
                set.visitMaxs(3, 3);
                set.visitEnd();
            }
            super.visitEnd();
        }
    }

    /** Internal names. */
    static final class Type {
        private Type() {}

        static String internal(Class<?> c) {
            return c.getName().replace('.', '/');
        }
    }
}
