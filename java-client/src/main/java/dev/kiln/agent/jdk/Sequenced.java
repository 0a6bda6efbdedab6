package dev.kiln.agent.jdk;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The JDK 21 sequenced views of a shared {@link KilnLinkedHashSet} / {@link KilnLinkedHashMap}
 * ({@code reversed()}, {@code sequencedKeySet()}...; their overrides are bridges added at load,
 * {@code dev.kiln.agent.SequencedBridges}). The agent is compiled for Java 11, so a view is a
 * {@link Proxy} of the JDK 21 interface whose calls go to a Java 11 object with the same methods
 * (every change through the shared collection's recording methods); the interface's default
 * methods run as defaults over it. Unshared, the views are the JDK's own ({@link #jdk}).
 */
final class Sequenced {
    private Sequenced() {}

    /** {@code owner.name()} returning {@code iface} as {@code super.name()} of {@code caller} (null before JDK 21). */
    static MethodHandle special(MethodHandles.Lookup lookup, Class<?> owner, String name, String iface) {
        try {
            return lookup.findSpecial(owner, name, MethodType.methodType(Class.forName(iface)), lookup.lookupClass());
        } catch (ReflectiveOperationException before21) {
            return null;
        }
    }

    /** Calls {@code super.name()} through handle {@code h} on {@code self}. */
    static Object jdk(MethodHandle h, Object self) {
        if (h == null) {
            throw new UnsupportedOperationException("kiln: a JDK 21 method called on an older JDK");
        }
        try {
            return h.invoke(self);
        } catch (RuntimeException | Error x) {
            throw x;
        } catch (Throwable x) {
            throw new java.lang.reflect.UndeclaredThrowableException(x);
        }
    }

    private static final Method INVOKE_DEFAULT = invokeDefault();

    private static Method invokeDefault() {
        try {
            return InvocationHandler.class.getMethod("invokeDefault", Object.class, Method.class, Object[].class);
        } catch (NoSuchMethodException before16) {
            return null;
        }
    }

    /** A {@code iface} (a JDK 21 interface name) whose methods run on {@code target}; {@code reversed()} is {@code reversed}. */
    static Object view(String iface, Object target, Supplier<Object> reversed) {
        Class<?> i;
        try {
            i = Class.forName(iface);
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("kiln: " + iface + " (JDK 21) not found", e);
        }
        return Proxy.newProxyInstance(Sequenced.class.getClassLoader(), new Class<?>[] {i}, (proxy, m, args) -> {
            if (m.getName().equals("reversed") && m.getParameterCount() == 0) {
                return reversed.get();
            }
            Method t;
            try {
                t = target.getClass().getMethod(m.getName(), m.getParameterTypes());
            } catch (NoSuchMethodException none) {
                t = null;
            }
            if (t != null && !(t.isDefault() && m.isDefault())) {
                t.setAccessible(true); // the targets are package-private classes of this package
                try {
                    return t.invoke(target, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            }
            if (m.isDefault() && INVOKE_DEFAULT != null) { // e.g. getFirst(), removeLast(), sequencedKeySet()
                try {
                    return INVOKE_DEFAULT.invoke(null, proxy, m, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            }
            throw new UnsupportedOperationException(m.getName());
        });
    }

    /** Calls the no-argument method {@code name} of JDK 21 interface {@code iface} on {@code o}. */
    static Object call(String iface, Object o, String name) {
        try {
            return Class.forName(iface).getMethod(name).invoke(o);
        } catch (InvocationTargetException e) {
            Throwable c = e.getCause();
            throw c instanceof RuntimeException ? (RuntimeException) c : new IllegalStateException(c);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The reversed view of a shared {@link KilnLinkedHashSet}: reads in reverse, changes through the set. */
    static final class RevSet<E> extends AbstractSet<E> {
        private final KilnLinkedHashSet<E> base;

        RevSet(KilnLinkedHashSet<E> base) {
            this.base = base;
        }

        private List<E> reversedCopy() {
            List<E> l = new ArrayList<>(base);
            Collections.reverse(l);
            return l;
        }

        @Override
        public Iterator<E> iterator() {
            Iterator<E> it = reversedCopy().iterator();
            return new Iterator<E>() {
                private E last;
                private boolean can;

                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public E next() {
                    last = it.next();
                    can = true;
                    return last;
                }

                @Override
                public void remove() {
                    if (!can) {
                        throw new IllegalStateException();
                    }
                    base.remove(last);
                    can = false;
                }
            };
        }

        @Override
        public int size() {
            return base.size();
        }

        @Override
        public boolean contains(Object o) {
            return base.contains(o);
        }

        @Override
        public boolean add(E e) {
            return base.add(e);
        }

        @Override
        public boolean remove(Object o) {
            return base.remove(o);
        }

        @Override
        public void clear() {
            base.clear();
        }

        public void addFirst(E e) {
            base.addLast(e);
        }

        public void addLast(E e) {
            base.addFirst(e);
        }

        public E getFirst() {
            return first(reversedCopy());
        }

        public E getLast() {
            return first(new ArrayList<>(base));
        }

        public E removeFirst() {
            return base.removeLast();
        }

        public E removeLast() {
            return base.removeFirst();
        }
    }

    private static <T> T first(List<T> l) {
        if (l.isEmpty()) {
            throw new NoSuchElementException();
        }
        return l.get(0);
    }

    /** The reversed view of a shared {@link KilnLinkedHashMap}: reads in reverse, changes through the map. */
    static final class RevMap<K, V> extends AbstractMap<K, V> {
        private final KilnLinkedHashMap<K, V> base;

        RevMap(KilnLinkedHashMap<K, V> base) {
            this.base = base;
        }

        private List<Map.Entry<K, V>> reversedCopy() {
            List<Map.Entry<K, V>> l = new ArrayList<>();
            for (Map.Entry<K, V> e : base.$kiln$entries()) {
                l.add(new AbstractMap.SimpleImmutableEntry<>(e));
            }
            Collections.reverse(l);
            return l;
        }

        @Override
        public Set<Map.Entry<K, V>> entrySet() {
            return new AbstractSet<Map.Entry<K, V>>() {
                @Override
                public Iterator<Map.Entry<K, V>> iterator() {
                    Iterator<Map.Entry<K, V>> it = reversedCopy().iterator();
                    return new Iterator<Map.Entry<K, V>>() {
                        private Map.Entry<K, V> last;

                        @Override
                        public boolean hasNext() {
                            return it.hasNext();
                        }

                        @Override
                        public Map.Entry<K, V> next() {
                            Map.Entry<K, V> e = it.next();
                            last = e;
                            return new AbstractMap.SimpleEntry<K, V>(e) {
                                private static final long serialVersionUID = 1L;

                                @Override
                                public V setValue(V v) {
                                    base.put(getKey(), v);
                                    return super.setValue(v);
                                }
                            };
                        }

                        @Override
                        public void remove() {
                            if (last == null) {
                                throw new IllegalStateException();
                            }
                            base.remove(last.getKey());
                            last = null;
                        }
                    };
                }

                @Override
                public int size() {
                    return base.size();
                }
            };
        }

        @Override
        public int size() {
            return base.size();
        }

        @Override
        public boolean containsKey(Object k) {
            return base.containsKey(k);
        }

        @Override
        public V get(Object k) {
            return base.get(k);
        }

        @Override
        public V put(K k, V v) {
            return base.put(k, v);
        }

        @Override
        public V remove(Object k) {
            return base.remove(k);
        }

        @Override
        public void clear() {
            base.clear();
        }

        public V putFirst(K k, V v) {
            return base.putLast(k, v);
        }

        public V putLast(K k, V v) {
            return base.putFirst(k, v);
        }

        public Map.Entry<K, V> firstEntry() {
            List<Map.Entry<K, V>> l = reversedCopy();
            return l.isEmpty() ? null : l.get(0);
        }

        public Map.Entry<K, V> lastEntry() {
            Iterator<Map.Entry<K, V>> it = base.$kiln$entries().iterator();
            return it.hasNext() ? new AbstractMap.SimpleImmutableEntry<>(it.next()) : null;
        }

        public Map.Entry<K, V> pollFirstEntry() {
            Map.Entry<K, V> e = firstEntry();
            if (e != null) {
                base.remove(e.getKey());
            }
            return e;
        }

        public Map.Entry<K, V> pollLastEntry() {
            Map.Entry<K, V> e = lastEntry();
            if (e != null) {
                base.remove(e.getKey());
            }
            return e;
        }
    }
}
