package dev.kiln.agent;

import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * In an instrumented class, {@code INVOKESTATIC java/util/Collections.synchronized{Map,List,Set,
 * Collection,SortedMap,NavigableMap,SortedSet,NavigableSet}} and {@code unmodifiable{Map,List,Set,Collection}} become {@code INVOKESTATIC dev/kiln/agent/jdk/Wrappers} of the same name and
 * descriptor, which returns a Kiln wrapper the cluster can share (the JDK's wrapper classes are
 * package-private, so no subclass could be allocated instead). Same operands and result: frames
 * stay valid. Other {@code Collections} methods are left alone. See docs/agent.md.
 */
final class WrappersRewriter extends MethodVisitor {
    WrappersRewriter(MethodVisitor mv) {
        super(Opcodes.ASM9, mv);
    }

    @Override
    public void visitMethodInsn(int opcode, String owner, String name, String desc, boolean itf) {
        if (opcode == Opcodes.INVOKESTATIC && owner.equals("java/util/Collections") && twin(name, desc)) {
            super.visitMethodInsn(opcode, "dev/kiln/agent/jdk/Wrappers", name, desc, false);
            return;
        }
        super.visitMethodInsn(opcode, owner, name, desc, itf);
    }

    private static boolean twin(String name, String desc) {
        switch (name) {
            case "synchronizedMap":
                return desc.equals("(Ljava/util/Map;)Ljava/util/Map;");
            case "synchronizedList":
                return desc.equals("(Ljava/util/List;)Ljava/util/List;");
            case "synchronizedSet":
                return desc.equals("(Ljava/util/Set;)Ljava/util/Set;");
            case "synchronizedCollection":
                return desc.equals("(Ljava/util/Collection;)Ljava/util/Collection;");
            case "synchronizedSortedMap":
                return desc.equals("(Ljava/util/SortedMap;)Ljava/util/SortedMap;");
            case "synchronizedNavigableMap":
                return desc.equals("(Ljava/util/NavigableMap;)Ljava/util/NavigableMap;");
            case "synchronizedSortedSet":
                return desc.equals("(Ljava/util/SortedSet;)Ljava/util/SortedSet;");
            case "synchronizedNavigableSet":
                return desc.equals("(Ljava/util/NavigableSet;)Ljava/util/NavigableSet;");
            case "unmodifiableMap":
                return desc.equals("(Ljava/util/Map;)Ljava/util/Map;");
            case "unmodifiableList":
                return desc.equals("(Ljava/util/List;)Ljava/util/List;");
            case "unmodifiableSet":
                return desc.equals("(Ljava/util/Set;)Ljava/util/Set;");
            case "unmodifiableCollection":
                return desc.equals("(Ljava/util/Collection;)Ljava/util/Collection;");
            // portable types 3: the sorted/navigable unmodifiable views and the checked wrappers
            case "unmodifiableSortedSet":
                return desc.equals("(Ljava/util/SortedSet;)Ljava/util/SortedSet;");
            case "unmodifiableNavigableSet":
                return desc.equals("(Ljava/util/NavigableSet;)Ljava/util/NavigableSet;");
            case "unmodifiableSortedMap":
                return desc.equals("(Ljava/util/SortedMap;)Ljava/util/SortedMap;");
            case "unmodifiableNavigableMap":
                return desc.equals("(Ljava/util/NavigableMap;)Ljava/util/NavigableMap;");
            case "checkedCollection":
                return desc.equals("(Ljava/util/Collection;Ljava/lang/Class;)Ljava/util/Collection;");
            case "checkedSet":
                return desc.equals("(Ljava/util/Set;Ljava/lang/Class;)Ljava/util/Set;");
            case "checkedSortedSet":
                return desc.equals("(Ljava/util/SortedSet;Ljava/lang/Class;)Ljava/util/SortedSet;");
            case "checkedNavigableSet":
                return desc.equals("(Ljava/util/NavigableSet;Ljava/lang/Class;)Ljava/util/NavigableSet;");
            case "checkedList":
                return desc.equals("(Ljava/util/List;Ljava/lang/Class;)Ljava/util/List;");
            case "checkedQueue":
                return desc.equals("(Ljava/util/Queue;Ljava/lang/Class;)Ljava/util/Queue;");
            case "checkedMap":
                return desc.equals("(Ljava/util/Map;Ljava/lang/Class;Ljava/lang/Class;)Ljava/util/Map;");
            case "checkedSortedMap":
                return desc.equals("(Ljava/util/SortedMap;Ljava/lang/Class;Ljava/lang/Class;)Ljava/util/SortedMap;");
            case "checkedNavigableMap":
                return desc.equals("(Ljava/util/NavigableMap;Ljava/lang/Class;Ljava/lang/Class;)Ljava/util/NavigableMap;");
            default:
                return false;
        }
    }
}
