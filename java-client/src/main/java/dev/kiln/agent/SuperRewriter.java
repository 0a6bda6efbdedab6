package dev.kiln.agent;

import java.util.HashMap;
import java.util.Map;

import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * An instrumented application class that extends a {@code java.util} or
 * {@code java.util.concurrent} collection directly
 * ({@code class Registry extends HashMap<String, Service>}, a double-brace
 * {@code new HashMap<>() {{ put(..); }}}) is made to extend that collection's Kiln twin instead
 * ({@code KilnHashMap}, itself a {@code HashMap}): its superclass and every
 * {@code invokespecial} of the old superclass ({@code super(..)}, {@code super.put(..)}) name
 * the Kiln class, whose constructors and methods are the JDK type's. So the program's subclass is
 * shared logically, as the JDK type is, and another JVM materialises it as the same subclass
 * (docs/agent.md, "Subclasses of JDK collections").
 *
 * <p>Only a class with no instance fields of its own: the cluster holds a logical collection's
 * content, not fields beside it, so a subclass with state stays as it was and is refused when
 * it is shared, naming the class and the fix.
 */
final class SuperRewriter extends ClassVisitor {
    /** JDK internal name -> Kiln internal name: the collections a program may extend. */
    private static final Map<String, String> SUPERS = new HashMap<>();

    static {
        for (String n : new String[] {"HashMap", "LinkedHashMap", "TreeMap", "Hashtable", "ArrayList", "LinkedList",
            "Vector", "Stack", "ArrayDeque", "HashSet", "LinkedHashSet", "TreeSet", "PriorityQueue", "Properties",
            "IdentityHashMap", "EnumMap"}) {
            SUPERS.put("java/util/" + n, "dev/kiln/agent/jdk/Kiln" + n);
        }
        for (String n : new String[] {"ConcurrentHashMap", "LinkedBlockingQueue", "ArrayBlockingQueue",
            "ConcurrentLinkedQueue", "CopyOnWriteArrayList", "CopyOnWriteArraySet", "ConcurrentSkipListMap",
            "ConcurrentSkipListSet", "PriorityBlockingQueue", "LinkedBlockingDeque"}) {
            SUPERS.put("java/util/concurrent/" + n, "dev/kiln/agent/jdk/Kiln" + n);
        }
    }

    private final String from;
    private final String to;

    SuperRewriter(ClassVisitor cv, String from, String to) {
        super(Opcodes.ASM9, cv);
        this.from = from;
        this.to = to;
    }

    /**
     * The Kiln twin the class read by {@code reader} should extend instead of its JDK superclass,
     * or null (another superclass, or instance fields of its own).
     */
    static String kilnSuper(ClassReader reader) {
        String to = SUPERS.get(reader.getSuperName());
        if (to == null || (reader.getAccess() & Opcodes.ACC_INTERFACE) != 0) {
            return null;
        }
        boolean[] fields = {false};
        reader.accept(new ClassVisitor(Opcodes.ASM9) {
            @Override
            public FieldVisitor visitField(int access, String name, String desc, String signature, Object value) {
                if ((access & Opcodes.ACC_STATIC) == 0) {
                    fields[0] = true;
                }
                return null;
            }
        }, ClassReader.SKIP_CODE | ClassReader.SKIP_DEBUG | ClassReader.SKIP_FRAMES);
        return fields[0] ? null : to;
    }

    @Override
    public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
        super.visit(version, access, name, signature, from.equals(superName) ? to : superName, interfaces);
    }

    @Override
    public MethodVisitor visitMethod(int access, String name, String desc, String signature, String[] exceptions) {
        MethodVisitor mv = super.visitMethod(access, name, desc, signature, exceptions);
        return mv == null ? null : new MethodVisitor(Opcodes.ASM9, mv) {
            @Override
            public void visitMethodInsn(int opcode, String owner, String mname, String mdesc, boolean itf) {
                super.visitMethodInsn(opcode, opcode == Opcodes.INVOKESPECIAL && from.equals(owner) ? to : owner,
                        mname, mdesc, itf);
            }
        };
    }
}
