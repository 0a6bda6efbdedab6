package demo.pt;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * Sorted/navigable unmodifiable views and checked wrappers in the shared map {@code Main.views}.
 * Modes: {@code views} (one JVM makes them, changes the collections through the checked wrappers
 * and has a wrong type refused), {@code views-check} (a fresh JVM navigates them, sees the views
 * refuse changes, changes the viewed map and the checked ones), {@code views-final} (a third JVM
 * sees those changes through the views).
 */
@SuppressWarnings({"unchecked", "rawtypes"})
public class Views {
    static Map<String, Object> views = Main.views;

    public static void main(String[] args) {
        switch (args[0]) {
            case "views":
                make();
                break;
            case "views-check":
                check();
                break;
            case "views-final":
                last();
                break;
            default:
                throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    static String refused(Supplier<Object> change) {
        try {
            change.get();
            return "changed";
        } catch (UnsupportedOperationException e) {
            return "UOE";
        } catch (ClassCastException e) {
            return "CCE";
        }
    }

    static void make() {
        TreeMap<String, Integer> prices = new TreeMap<>();
        TreeSet<String> names = new TreeSet<>(Collections.reverseOrder());
        Job job = new Job("j", 1);
        StringBuilder b = new StringBuilder("app: views");
        synchronized (views) {
            prices.put("apple", 5);
            prices.put("cherry", 7);
            prices.put("banana", 6);
            names.addAll(List.of("x", "y", "z"));
            views.put("prices", prices);
            views.put("roPrices", Collections.unmodifiableNavigableMap(prices));
            views.put("roSorted", Collections.unmodifiableSortedMap(prices));
            views.put("roNames", Collections.unmodifiableNavigableSet(names));
            views.put("roSortedNames", Collections.unmodifiableSortedSet(names));
            Map<String, Integer> ckMap = Collections.checkedMap(new HashMap<>(), String.class, Integer.class);
            List<Job> ckJobs = Collections.checkedList(new ArrayList<>(), Job.class);
            NavigableSet<Integer> ckSet = Collections.checkedNavigableSet(new TreeSet<>(), Integer.class);
            views.put("ckMap", ckMap);
            views.put("ckJobs", ckJobs);
            views.put("ckSet", ckSet);
            views.put("job", job);
            ckMap.put("one", 1);
            ckJobs.add(job);
            ckSet.add(3);
            ckSet.add(1);
            b.append(" wrong-type ").append(refused(() -> ((Map) ckMap).put("two", "2")));
            b.append(" ro-put ").append(refused(() -> ((Map) views.get("roPrices")).put("fig", 1)));
            views.put("libRanks", lib.Lib.readOnlyRanks());
            views.put("libTags", lib.Lib.checkedTags());
            java.util.Queue<Integer> ckQueue = Collections.checkedQueue(new java.util.PriorityQueue<>(), Integer.class);
            views.put("ckQueue", ckQueue);
            ckQueue.offer(5);
            ckQueue.offer(2);
            b.append(" q ").append(ckQueue.peek());
        }
        b.append(" ").append(views.get("roPrices")).append(" ").append(views.get("roNames"));
        b.append(" ").append(views.get("ckMap")).append(" ").append(views.get("ckJobs")).append(" ").append(views.get("ckSet"));
        System.out.println(b);
    }

    static void check() {
        NavigableMap<String, Integer> ro = (NavigableMap<String, Integer>) views.get("roPrices");
        SortedMap<String, Integer> roSorted = (SortedMap<String, Integer>) views.get("roSorted");
        NavigableSet<String> roNames = (NavigableSet<String>) views.get("roNames");
        SortedSet<String> roSortedNames = (SortedSet<String>) views.get("roSortedNames");
        Map<String, Integer> ckMap = (Map<String, Integer>) views.get("ckMap");
        List<Job> ckJobs = (List<Job>) views.get("ckJobs");
        NavigableSet<Integer> ckSet = (NavigableSet<Integer>) views.get("ckSet");
        StringBuilder b = new StringBuilder("app: ");
        b.append(ro).append(" first=").append(ro.firstKey()).append(" ceiling(b)=").append(ro.ceilingKey("b"))
                .append(" head(c)=").append(ro.headMap("c")).append(" desc=").append(ro.descendingMap().keySet())
                .append(" sorted-is-navigable=").append(roSorted instanceof NavigableMap)
                .append(" names=").append(roNames).append(" cmp-reverse=").append(roNames.comparator() == Collections.reverseOrder())
                .append(" higher(y)=").append(roNames.higher("y")).append(" sorted-names-last=").append(roSortedNames.last());
        b.append(" refused:");
        b.append(" put=").append(refused(() -> ro.put("fig", 1)));
        b.append(" pollFirstEntry=").append(refused(() -> ro.pollFirstEntry()));
        b.append(" entry.setValue=").append(refused(() -> ro.firstEntry().setValue(0)));
        b.append(" head.put=").append(refused(() -> roSorted.headMap("c").put("a", 1)));
        b.append(" set.add=").append(refused(() -> roNames.add("w")));
        b.append(" pollFirst=").append(refused(() -> roNames.pollFirst()));
        b.append(" desc.remove=").append(refused(() -> roNames.descendingSet().remove("x")));
        Job job = (Job) views.get("job");
        b.append(" job-same=").append(ckJobs.get(0) == job);
        synchronized (views) {
            ((Map<String, Integer>) views.get("prices")).put("date", 8);
            ckMap.put("two", 2);
            b.append(" wrong-type=").append(refused(() -> ((Map) ckMap).put("three", 3.0)));
            b.append(" wrong-elem=").append(refused(() -> ((List) ckJobs).add("not a job")));
            ckJobs.add(new Job("k", 2));
            ckSet.add(2);
            ckSet.remove(3);
            java.util.Queue<Integer> ckQueue = (java.util.Queue<Integer>) views.get("ckQueue");
            b.append(" qpoll=").append(ckQueue.poll()).append(" qwrong=").append(refused(() -> ((java.util.Queue) ckQueue).offer("x")));
        }
        b.append(" now ").append(ro).append(" ").append(roSorted.lastKey()).append(" ").append(ckMap.get("two"))
                .append(" ").append(ckJobs).append(" ").append(ckSet);
        SortedMap<String, Integer> libRanks = (SortedMap<String, Integer>) views.get("libRanks");
        List<String> libTags = (List<String>) views.get("libTags");
        b.append(" lib ").append(libRanks.getClass().getSimpleName()).append(libRanks).append(" ")
                .append(libTags.getClass().getSimpleName()).append(libTags)
                .append(" lib-put=").append(refused(() -> libRanks.put("bronze", 3)))
                .append(" lib-wrong=").append(refused(() -> ((List) libTags).add(7)));
        synchronized (views) {
            libTags.add("kiln");
        }
        System.out.println(b);
    }

    static void last() {
        System.out.println("app: " + views.get("roPrices") + " " + views.get("roSortedNames") + " " + views.get("ckMap") + " "
                + views.get("ckJobs") + " " + views.get("ckSet") + " " + views.get("libTags") + " " + views.get("ckQueue"));
    }
}
