package dev.kiln.agent;

import java.util.HashMap;
import java.util.Map;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * In an instrumented class, allocations of the JDK collections the agent shares logically
 * ({@code new java.util.HashMap(..)}: NEW + INVOKESPECIAL {@code <init>}) become allocations of
 * their {@code dev.kiln.agent.jdk.Kiln*} subclass, same constructor. A {@code super(..)} call of
 * a class extending a JDK collection is left alone: only an {@code <init>} matching a rewritten
 * NEW is retargeted (javac nests NEW ... INVOKESPECIAL pairs, so a count per type pairs them).
 * Straight-line, same stack shapes: frames stay valid (a Kiln type is a subtype of the JDK one,
 * and uninitialised types in frames name the NEW instruction, not the class).
 */
final class JdkAllocRewriter extends MethodVisitor {
    /** JDK internal name -> Kiln internal name. */
    static final Map<String, String> KILN = new HashMap<>();

    static {
        for (String n : new String[] {"HashMap", "LinkedHashMap", "TreeMap", "Hashtable", "ArrayList", "LinkedList",
            "Vector", "Stack", "ArrayDeque", "HashSet", "LinkedHashSet", "TreeSet",
            "IdentityHashMap", "PriorityQueue", "EnumMap", "Properties"}) {
            KILN.put("java/util/" + n, "dev/kiln/agent/jdk/Kiln" + n);
        }
        KILN.put("javax/swing/DefaultListModel", "dev/kiln/agent/jdk/KilnDefaultListModel"); // Desktop programs
        KILN.put("javax/swing/table/DefaultTableModel", "dev/kiln/agent/jdk/KilnDefaultTableModel");
        KILN.put("javax/swing/tree/DefaultTreeModel", "dev/kiln/agent/jdk/KilnDefaultTreeModel");
        KILN.put("javax/swing/tree/DefaultMutableTreeNode", "dev/kiln/agent/jdk/KilnDefaultMutableTreeNode");
        for (String n : new String[] {"ConcurrentHashMap", "LinkedBlockingQueue", "ArrayBlockingQueue",
            "ConcurrentLinkedQueue", "CopyOnWriteArrayList", "CopyOnWriteArraySet", "ConcurrentSkipListMap",
            "ConcurrentSkipListSet", "PriorityBlockingQueue", "LinkedBlockingDeque"}) {
            KILN.put("java/util/concurrent/" + n, "dev/kiln/agent/jdk/Kiln" + n);
        }
        for (String n : new String[] {"CyclicBarrier", "CountDownLatch", "Semaphore", "locks/ReentrantLock",
            "locks/ReentrantReadWriteLock", // java.util.concurrent synchronizers
            "atomic/AtomicIntegerArray", "atomic/AtomicLongArray", "atomic/AtomicReferenceArray", // portable types 3
            "atomic/LongAccumulator", "atomic/DoubleAccumulator"}) {
            KILN.put("java/util/concurrent/" + n, "dev/kiln/agent/jdk/Kiln" + n.substring(n.indexOf('/') + 1));
        }
    }

    private final Map<String, Integer> pending = new HashMap<>();

    JdkAllocRewriter(MethodVisitor mv) {
        super(Opcodes.ASM9, mv);
    }

    @Override
    public void visitTypeInsn(int opcode, String type) {
        String k = opcode == Opcodes.NEW ? KILN.get(type) : null;
        if (k != null) {
            pending.merge(type, 1, Integer::sum);
            super.visitTypeInsn(opcode, k);
            return;
        }
        super.visitTypeInsn(opcode, type);
    }

    @Override
    public void visitMethodInsn(int opcode, String owner, String name, String desc, boolean itf) {
        if (opcode == Opcodes.INVOKESPECIAL && name.equals("<init>")) {
            Integer n = pending.get(owner);
            if (n != null && n > 0) {
                pending.put(owner, n - 1);
                super.visitMethodInsn(opcode, KILN.get(owner), name, desc, itf);
                return;
            }
        }
        super.visitMethodInsn(opcode, owner, name, desc, itf);
    }
}
