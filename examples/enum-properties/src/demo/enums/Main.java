package demo.enums;

import com.tc.object.tx.UnlockedSharedObjectException;

import java.io.IOException;
import java.io.StringReader;
import java.util.TreeMap;

/**
 * A plain Java 5-style program sharing an EnumMap and a java.util.Properties (both portable in
 * Terracotta DSO without configuration). The EnumMap is changed under synchronized (an autolocked
 * method); the Properties needs no lock of the program's own (its methods lock it, as Terracotta's
 * built-in autolock did); an EnumMap made by a non-instrumented library is copied in when shared.
 *
 * <p>Argument: "write" (first JVM), "change" (second: prints, then changes), "print" (third).
 */
public class Main {
    static Registry registry = new Registry();

    public static void main(String[] args) throws IOException {
        Registry r = registry;
        if (args[0].equals("write")) {
            synchronized (r) {
                r.counts.put(Level.HIGH, 3);
                r.counts.merge(Level.LOW, 1, Integer::sum);
                r.counts.merge(Level.LOW, 1, Integer::sum);
                r.names = Library.emptyNames(); // a plain, empty JDK EnumMap: copied when shared
                r.names.put(Level.MID, "middle");
            }
            r.settings.setProperty("mode", "fast"); // outside any lock of the program's own
            r.settings.load(new StringReader("a=1\nb=2\n"));
            try {
                r.counts.put(Level.MID, 9);
                System.out.println("app: unlocked EnumMap put accepted?!");
            } catch (UnlockedSharedObjectException e) {
                System.out.println("app: unlocked EnumMap put refused: " + e.getMessage().substring(0, e.getMessage().indexOf(" (object")));
            }
            print(r);
            return;
        }
        print(r);
        if (args[0].equals("change")) {
            synchronized (r) {
                r.counts.remove(Level.HIGH);
                r.counts.put(Level.MID, 5);
                r.names.clear();
            }
            r.settings.remove("a");
            r.settings.setProperty("mode", "safe");
        }
    }

    static void print(Registry r) {
        synchronized (r) {
            System.out.println("app: counts " + r.counts + " names " + r.names + " (" + r.names.getClass().getSuperclass().getSimpleName() + ")"
                    + " settings " + new TreeMap<>(r.settings) + " mode " + r.settings.getProperty("mode"));
        }
    }
}
