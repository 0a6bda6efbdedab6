package dev.kiln.agent.rt;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import com.tc.object.tx.UnlockedSharedObjectException;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.Test;

/**
 * No server: every {@link ArrayOps} twin stands for a real JDK method of the same name and
 * descriptor (and the rewriter's lookup finds it); twins behave as the JDK on arrays that are not
 * shared; on a shared array outside any cluster lock they throw before changing anything; the
 * lock-free shared-array table keeps every binding through growth and removal.
 */
public class ArrayOpsTest {
    private static String desc(Method m) {
        StringBuilder b = new StringBuilder("(");
        for (Class<?> p : m.getParameterTypes()) {
            b.append(type(p));
        }
        return b.append(")").append(type(m.getReturnType())).toString();
    }

    private static String type(Class<?> c) {
        if (c.isArray()) {
            return c.getName().replace('.', '/');
        }
        if (!c.isPrimitive()) {
            return "L" + c.getName().replace('.', '/') + ";";
        }
        return c == void.class ? "V" : c == int.class ? "I" : c == long.class ? "J" : c == boolean.class ? "Z"
                : String.valueOf(Character.toUpperCase(c.getName().charAt(0)));
    }

    @Test
    public void everyTwinIsAJdkMethodOfTheSameDescriptor() throws Exception {
        int n = 0;
        for (Method m : ArrayOps.class.getDeclaredMethods()) {
            if (!Modifier.isPublic(m.getModifiers()) || m.getName().equals("hasTwin") || m.getName().equals("charsTwin")) {
                continue;
            }
            if (m.getName().equals("getChars")) { // the receiver is the first parameter
                Class<?>[] p = m.getParameterTypes();
                Method jdk = p[0].getMethod("getChars", Arrays.copyOfRange(p, 1, p.length));
                assertEquals(m.toString(), desc(m), ArrayOps.charsTwin(p[0].getName().replace('.', '/'), "getChars", desc(jdk)));
                n++;
                continue;
            }
            Class<?> owner = m.getName().equals("arraycopy") ? System.class : Arrays.class;
            Method jdk = owner.getMethod(m.getName(), m.getParameterTypes());
            assertEquals(desc(jdk), desc(m));
            assertTrue(Modifier.isStatic(m.getModifiers()));
            if (owner == Arrays.class) {
                assertTrue(m + " is found by the rewriter", ArrayOps.hasTwin(m.getName(), desc(m)));
            }
            n++;
        }
        assertEquals(69, n);
        assertTrue(!ArrayOps.hasTwin("fill", "([BB)V")); // byte[]: a literal, left alone
        assertTrue(!ArrayOps.hasTwin("copyOf", "([II)[I"));
    }

    @Test
    public void twinsBehaveAsTheJdkOnArraysThatAreNotShared() {
        int[] a = {5, 3, 9, 1};
        ArrayOps.sort(a);
        assertArrayEquals(new int[] {1, 3, 5, 9}, a);
        ArrayOps.arraycopy(a, 0, a, 1, 3);
        assertArrayEquals(new int[] {1, 1, 3, 5}, a);
        ArrayOps.fill(a, 1, 3, 0);
        assertArrayEquals(new int[] {1, 0, 0, 5}, a);
        String[] s = {"b", "c", "a"};
        ArrayOps.sort(s, java.util.Comparator.reverseOrder());
        assertArrayEquals(new String[] {"c", "b", "a"}, s);
        List<String> plainView = ArrayOps.asList(s);
        assertEquals("java.util.Arrays$ArrayList", plainView.getClass().getName()); // not shared: the JDK's
        char[] cs = new char[3];
        ArrayOps.getChars(new StringBuilder("xyz"), 0, 3, cs, 0);
        assertArrayEquals("xyz".toCharArray(), cs);
        long[] l = new long[4];
        ArrayOps.setAll(l, i -> i * 2L);
        assertArrayEquals(new long[] {0, 2, 4, 6}, l);
        try {
            ArrayOps.arraycopy(a, 0, new int[2], 0, 3);
            fail();
        } catch (ArrayIndexOutOfBoundsException expected) {
            // the JDK's own exception
        }
        try {
            ArrayOps.fill(a, 3, 1, 0);
            fail();
        } catch (IllegalArgumentException expected) {
            // the JDK's own exception
        }
    }

    @Test
    public void aSharedArrayOutsideAnyLockIsRefusedUnchanged() {
        int[] shared = {4, 3, 2, 1};
        Object[] objs = {"x", "y"};
        SharedArrays.bind(shared, 77);
        SharedArrays.bind(objs, 78);
        try {
            assertEquals(77, SharedArrays.oid(shared));
            for (Runnable op : new Runnable[] {
                () -> ArrayOps.sort(shared),
                () -> ArrayOps.fill(shared, 0),
                () -> ArrayOps.arraycopy(new int[] {9}, 0, shared, 2, 1),
                () -> ArrayOps.parallelPrefix(shared, Integer::sum),
                () -> ArrayOps.fill(objs, "z"),
                () -> ArrayOps.sort(objs, 0, 2, null),
            }) {
                try {
                    op.run();
                    fail("accepted outside a lock");
                } catch (UnlockedSharedObjectException e) {
                    assertTrue(e.getMessage(), e.getMessage().contains("outside any cluster lock"));
                }
            }
            assertArrayEquals(new int[] {4, 3, 2, 1}, shared);
            assertArrayEquals(new Object[] {"x", "y"}, objs);
            // a bad range is the JDK's error, not a lock error, and changes nothing
            try {
                ArrayOps.fill(shared, 3, 9, 0);
                fail();
            } catch (ArrayIndexOutOfBoundsException expected) {
                // the JDK's own exception
            }
            // Arrays.asList of a shared array: a view whose set is barriered (refused here, unchanged)
            List<Object> view = ArrayOps.asList(objs);
            try {
                java.util.Collections.reverse(view);
                fail("accepted outside a lock");
            } catch (UnlockedSharedObjectException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("set of Arrays.asList"));
            }
            assertArrayEquals(new Object[] {"x", "y"}, objs);
            assertEquals(Arrays.asList("x", "y"), view);
            char[] chars = {'a', 'b'};
            SharedArrays.bind(chars, 79);
            try {
                ArrayOps.getChars("zz", 0, 2, chars, 0);
                fail("accepted outside a lock");
            } catch (UnlockedSharedObjectException e) {
                assertArrayEquals(new char[] {'a', 'b'}, chars);
            } finally {
                SharedArrays.unbind(chars);
            }
            // copying out of a shared array needs no lock
            int[] out = new int[4];
            ArrayOps.arraycopy(shared, 0, out, 0, 4);
            assertArrayEquals(shared, out);
        } finally {
            SharedArrays.unbind(shared);
            SharedArrays.unbind(objs);
        }
        assertEquals(0, SharedArrays.oid(shared));
    }

    @Test
    public void theSharedArrayTableKeepsEveryBindingThroughGrowth() {
        List<int[]> arrays = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            int[] a = new int[1];
            arrays.add(a);
            SharedArrays.bind(a, 1000 + i);
            if (i % 2 == 1) {
                SharedArrays.unbind(arrays.get(i - 1)); // removals between insertions and growths
            }
        }
        try {
            for (int i = 0; i < 5000; i++) {
                assertEquals("array " + i, i % 2 == 0 ? 0 : 1000 + i, SharedArrays.oid(arrays.get(i)));
            }
            assertEquals(0, SharedArrays.oid(new int[1]));
            SharedArrays.bind(arrays.get(1), 5); // bound again: the new id
            assertEquals(5, SharedArrays.oid(arrays.get(1)));
        } finally {
            for (int[] a : arrays) {
                SharedArrays.unbind(a);
            }
        }
        assertEquals(0, SharedArrays.oid(arrays.get(1)));
    }
}
