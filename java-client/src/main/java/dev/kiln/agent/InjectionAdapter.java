package dev.kiln.agent;

import com.tc.cluster.DsoCluster;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.objectweb.asm.AnnotationVisitor;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Cluster API injection in instrumented classes (Terracotta's {@code <injected-instances>}): an
 * instance field of type {@link DsoCluster} that is annotated
 * {@link com.tc.injection.annotations.InjectedDsoInstance} or named by an
 * {@code <injected-field><field-name>pkg.Class.field</field-name>} is set in every constructor of
 * its class right after the {@code super(...)} call, so it holds the cluster before the
 * constructor body (and the field initializers) run.
 *
 * <p>Placed in front of the transformer's own class visitor: fields are visited before methods,
 * so the injected fields are known when the constructors come. The super call is the first
 * {@code INVOKESPECIAL <init>} that no {@code NEW} of the constructor is waiting for (javac emits
 * a {@code NEW}/{@code INVOKESPECIAL} pair for every object built in the arguments). A
 * constructor that delegates with {@code this(...)} leaves the field to the one it calls. The
 * inserted code ({@code aload_0; invokestatic dsoCluster; putfield}) is straight-line with an
 * empty stack at the end, so the stack map frames stay valid.
 *
 * <p>A static field, or one of another type, is not injected: reported once on stderr, class
 * left otherwise instrumented.
 */
public final class InjectionAdapter extends ClassVisitor {
    static final String ANNOTATION = "Lcom/tc/injection/annotations/InjectedDsoInstance;";
    static final String DSO_CLUSTER = "Lcom/tc/cluster/DsoCluster;";
    private static final String SELF = "dev/kiln/agent/InjectionAdapter";

    /** "pkg.Class.field" names from {@code <injected-instances>}. */
    private static volatile Set<String> configured = Collections.emptySet();
    private static volatile boolean noClusterReported;

    /** Sets the {@code <injected-field>} names of the configuration (dotted class + "." + field). */
    static void configure(List<String> fieldNames) {
        configured = Collections.unmodifiableSet(new HashSet<>(fieldNames));
    }

    /**
     * The value an injected field gets: the process-wide cluster's {@link DsoCluster}, or null
     * (reported once) when the agent did not connect.
     */
    public static DsoCluster dsoCluster() {
        try {
            return dev.kiln.Kiln.cluster().dsoCluster();
        } catch (RuntimeException e) {
            if (!noClusterReported) {
                noClusterReported = true;
                KilnAgentLog.report("kiln: no DsoCluster to inject (fields stay null): " + e.getMessage());
            }
            return null;
        }
    }

    private String owner;
    /** Injected instance fields of this class: names. */
    private final List<String> fields = new ArrayList<>();
    /** True when this class gained injection code. */
    boolean injected;

    InjectionAdapter(ClassVisitor next) {
        super(Opcodes.ASM9, next);
    }

    @Override
    public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
        owner = name;
        super.visit(version, access, name, signature, superName, interfaces);
    }

    @Override
    public FieldVisitor visitField(int access, String name, String desc, String signature, Object value) {
        FieldVisitor fv = super.visitField(access, name, desc, signature, value);
        String dotted = owner.replace('/', '.') + "." + name;
        if (configured.contains(dotted)) {
            consider(access, name, desc, "<injected-field> " + dotted);
        }
        return new FieldVisitor(Opcodes.ASM9, fv) {
            @Override
            public AnnotationVisitor visitAnnotation(String adesc, boolean visible) {
                if (ANNOTATION.equals(adesc) && !configured.contains(dotted)) {
                    consider(access, name, desc, "@InjectedDsoInstance " + dotted);
                }
                return super.visitAnnotation(adesc, visible);
            }
        };
    }

    private void consider(int access, String name, String desc, String what) {
        if ((access & Opcodes.ACC_STATIC) != 0) {
            KilnAgentLog.report("kiln: " + what + " is static: not injected (Terracotta injects instance fields)");
        } else if (!DSO_CLUSTER.equals(desc)) {
            KilnAgentLog.report("kiln: " + what + " is of type " + org.objectweb.asm.Type.getType(desc).getClassName()
                    + ": not injected (the injectable type is com.tc.cluster.DsoCluster)");
        } else if (!fields.contains(name)) {
            fields.add(name);
        }
    }

    @Override
    public MethodVisitor visitMethod(int access, String name, String desc, String signature, String[] exceptions) {
        MethodVisitor mv = super.visitMethod(access, name, desc, signature, exceptions);
        if (mv == null || fields.isEmpty() || !name.equals("<init>")) {
            return mv;
        }
        return new MethodVisitor(Opcodes.ASM9, mv) {
            private int pendingNews;
            private boolean done;

            @Override
            public void visitTypeInsn(int opcode, String type) {
                if (opcode == Opcodes.NEW && !done) {
                    pendingNews++;
                }
                super.visitTypeInsn(opcode, type);
            }

            @Override
            public void visitMethodInsn(int opcode, String mowner, String mname, String mdesc, boolean itf) {
                super.visitMethodInsn(opcode, mowner, mname, mdesc, itf);
                if (done || opcode != Opcodes.INVOKESPECIAL || !mname.equals("<init>")) {
                    return;
                }
                if (pendingNews > 0) {
                    pendingNews--;
                    return;
                }
                done = true; // the super(...) or this(...) call
                if (mowner.equals(owner)) {
                    return; // this(...): the called constructor injects
                }
                injected = true;
                for (String f : fields) {
                    super.visitVarInsn(Opcodes.ALOAD, 0);
                    super.visitMethodInsn(Opcodes.INVOKESTATIC, SELF, "dsoCluster", "()" + DSO_CLUSTER, false);
                    super.visitFieldInsn(Opcodes.PUTFIELD, owner, f, DSO_CLUSTER);
                }
            }
        };
    }
}
