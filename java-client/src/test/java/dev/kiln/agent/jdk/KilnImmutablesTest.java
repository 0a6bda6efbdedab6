package dev.kiln.agent.jdk;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.junit.Test;

/**
 * The JDK's immutable collections (List.of, Set.of, Map.of, Collections.empty*, singleton*) are
 * copied at share time into Kiln immutables with the same content and equality, refusing every
 * mutation as the JDK's do, and re-created from their cluster class name on another JVM.
 */
public class KilnImmutablesTest {
    private static <T> void refusesAll(Object what, T c, List<Consumer<T>> ops) {
        Object before = c.toString();
        for (Consumer<T> op : ops) {
            try {
                op.accept(c);
                fail(what + ": a mutation of an immutable was accepted");
            } catch (UnsupportedOperationException expected) {
                // as the JDK's
            }
        }
        assertEquals(before, c.toString());
    }

    @Test
    public void immutableListsSetsAndMapsAreCopiedEqualAndImmutable() {
        for (List<Object> l : Arrays.<List<Object>>asList(List.of(), List.of(1), List.of(1, 2), List.of(1, 2, 3),
                Collections.emptyList(), Collections.singletonList(null))) {
            Shared s = Jdk.portableCopy(l);
            assertTrue(l.getClass().getName(), s instanceof KilnImmutableList);
            @SuppressWarnings("unchecked")
            List<Object> k = (List<Object>) s;
            assertEquals(l, k);
            assertEquals(l.hashCode(), k.hashCode());
            assertEquals(new ArrayList<>(l), s.$kiln$content());
            assertEquals("java.util.ImmutableCollections$ListN", s.$kiln$class());
            refusesAll(l, k, Arrays.<Consumer<List<Object>>>asList(x -> x.add(9), x -> x.add(0, 9), x -> x.set(0, 9),
                    x -> x.remove(0), x -> x.clear(), x -> x.addAll(Arrays.asList(1)), x -> x.iterator().remove(),
                    x -> x.listIterator().add(1), x -> x.replaceAll(v -> v), x -> x.sort(null)));
        }
        for (Set<Object> l : Arrays.<Set<Object>>asList(Set.of(), Set.of(1), Set.of(1, 2, 3), Collections.emptySet(),
                Collections.singleton("x"))) {
            Shared s = Jdk.portableCopy(l);
            assertTrue(l.getClass().getName(), s instanceof KilnImmutableSet);
            @SuppressWarnings("unchecked")
            Set<Object> k = (Set<Object>) s;
            assertEquals(l, k);
            assertEquals(l.hashCode(), k.hashCode());
            assertEquals("java.util.ImmutableCollections$SetN", s.$kiln$class());
            refusesAll(l, k, Arrays.<Consumer<Set<Object>>>asList(x -> x.add(9), x -> x.remove(1), x -> x.clear(),
                    x -> x.addAll(Arrays.asList(1)), x -> x.retainAll(Collections.emptySet()),
                    x -> x.removeIf(v -> true), x -> x.iterator().remove()));
        }
        for (Map<Object, Object> l : Arrays.<Map<Object, Object>>asList(Map.of(), Map.of("k", 1), Map.of("a", 1, "b", 2),
                Map.ofEntries(Map.entry("e", 5)), Collections.emptyMap(), Collections.singletonMap("s", null))) {
            Shared s = Jdk.portableCopy(l);
            assertTrue(l.getClass().getName(), s instanceof KilnImmutableMap);
            @SuppressWarnings("unchecked")
            Map<Object, Object> k = (Map<Object, Object>) s;
            assertEquals(l, k);
            assertEquals(l.hashCode(), k.hashCode());
            assertEquals("java.util.ImmutableCollections$MapN", s.$kiln$class());
            refusesAll(l, k, Arrays.<Consumer<Map<Object, Object>>>asList(x -> x.put("z", 9), x -> x.remove("k"),
                    x -> x.clear(), x -> x.putAll(Map.of("z", 1)), x -> x.putIfAbsent("z", 1),
                    x -> x.computeIfAbsent("z", v -> 1), x -> x.merge("z", 1, (a, b) -> a), x -> x.replaceAll((a, b) -> b),
                    x -> x.entrySet().clear(), x -> x.keySet().clear(), x -> x.values().clear(),
                    x -> x.entrySet().removeIf(e -> true)));
        }
    }

    @Test
    public void immutablesMaterialiseFromTheirClusterClassNameWithTheirContent() throws ReflectiveOperationException {
        ClassLoader cl = getClass().getClassLoader();
        Shared l = Jdk.create("java.util.ImmutableCollections$ListN", cl);
        l.$kiln$load(Arrays.asList("a", null, "b"));
        assertEquals(Arrays.asList("a", null, "b"), l);
        Shared s = Jdk.create("java.util.ImmutableCollections$SetN", cl);
        s.$kiln$load(Arrays.asList(1, 2));
        assertEquals(Set.of(1, 2), s);
        Shared m = Jdk.create("java.util.ImmutableCollections$MapN", cl);
        m.$kiln$load(Arrays.asList("k", 1, "j", 2));
        Map<String, Integer> want = new HashMap<>();
        want.put("k", 1);
        want.put("j", 2);
        assertEquals(want, m);
        assertEquals(Arrays.asList("k", 1, "j", 2), m.$kiln$content());
        try {
            ((List<Object>) (List<?>) l).add("c");
            fail("a materialised immutable list accepted add");
        } catch (UnsupportedOperationException expected) {
            // immutable on every JVM
        }
    }
}
