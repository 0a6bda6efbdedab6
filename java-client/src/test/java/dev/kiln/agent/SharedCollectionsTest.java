package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

/**
 * examples/shared-collections: JDK collections in a shared graph, shared logically across two
 * JVMs: enum keys and identity-hashCode keys in a HashMap, a TreeMap with a comparator class,
 * an access-ordered LinkedHashMap (gets move entries on every JVM), ArrayList add/remove/set/
 * subList/listIterator, LinkedList deque ops, Vector, Stack, ArrayDeque, HashSet iterator.remove, TreeMap entrySet
 * iterator.remove and setValue, a HashMap made by non-instrumented code (replaced by a shared
 * copy) and an Arrays.asList list, int[] / String[] / Object[] arrays with element stores; a mutation outside any lock is refused, and so are a lambda-sorted
 * TreeMap, a WeakHashMap and an application subclass of HashMap with a field of its own
 * (TCNonPortableObjectError, nothing shared).
 */
public class SharedCollectionsTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "shared-collections";
    }

    @Override
    protected String mainClass() {
        return "demo.coll.Main";
    }

    private static final String FIRST = "byColor=[RED:red, GREEN:null, BLUE:blue] byKey=first,second,2"
            + " sorted={a=100, ccc=3, dddd=4} lru={y=2, z=3, x=1} list=[first, inserted, l4, l5] linked=[n, o, p]"
            + " tags=[t1, t3] vec=[v0, v2] stack=[1, 2] deque=[z, b] fromLib={x=1, y=2} fixed=[f1, f2] counts=[0, 5, 0] names=[n0, null] refs=true,true";
    private static final String AFTER = "byColor=[RED:red, GREEN:vert, BLUE:blue] byKey=null,second,1"
            + " sorted={ccc=3, dddd=4} lru={z=3, x=1, y=2} list=[first, l4, l5] linked=[o, p]"
            + " tags=[t9] vec=[v0, V2] stack=[1, 2, 9] deque=[b, e] fromLib={y=2} fixed=[f1, f2] counts=[0, 5, 7] names=[n0, n1] refs=false,true";

    @Test
    public void jdkCollectionsAreSharedLogically() throws Exception {
        Process a = start("a");
        Process b = start("b");
        String outA = finish(a);
        String outB = finish(b);
        String[] la = outA.split("\n");
        String[] lb = outB.split("\n");
        assertEquals(outA, 7, la.length);
        assertEquals(outA, "app: a " + FIRST, la[0]);
        assertTrue(outA, la[1].startsWith("app: unlocked add refused: kiln: java.util.ArrayList.add() on a shared"
                + " java.util.ArrayList (object "));
        assertTrue(outA, la[1].contains("outside any cluster lock"));
        assertTrue(outA, la[2].startsWith("app: unlocked array store refused: kiln: element 0 of a shared int[] (object "));
        assertTrue(outA, la[2].contains("outside any cluster lock"));
        assertTrue(outA, la[3].startsWith("app: lambda comparator refused: kiln: a java.util.TreeMap sorted by a"
                + " demo.coll.Main$$Lambda"));
        assertTrue(outA, la[3].contains("Use a named comparator class with no instance fields"));
        // Collections.synchronized*, unmodifiable* and checked* are shared now (SynchronizedWrappersTest,
        // PortableTypesTest); a WeakHashMap is not
        assertTrue(outA, la[4].startsWith("app: WeakHashMap refused: kiln: demo.coll.State.other holds a"
                + " java.util.WeakHashMap, which cannot be shared"));
        assertTrue(outA, la[4].contains("not this type yet"));
        assertTrue(outA, la[4].contains("Nothing of this transaction was shared."));
        assertTrue(outA, la[5].startsWith("app: HashMap subclass refused: kiln: demo.coll.State.other holds a"
                + " demo.coll.Main$Registry, a subclass of java.util.HashMap with instance fields of its own"));
        // nothing of the refused transactions reached the cluster; b's later write of "other" did
        assertEquals(outA, "app: a final " + AFTER + " other=by b", la[6]);
        assertEquals(outB, 2, lb.length);
        assertEquals(outB, "app: b " + FIRST, lb[0]);
        assertEquals(outB, "app: b final " + AFTER + " other=by b", lb[1]);
    }
}
