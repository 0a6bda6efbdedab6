package demo.inventory;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * A console inventory shared by every JVM that runs it (the root {@code demo.inventory.Main.store}).
 * Commands on stdin, one per line: {@code add SKU NAME PRICE QTY}, {@code buy SKU N},
 * {@code price SKU PRICE}, {@code list}, {@code sales}, {@code quit}. Argument: this terminal's name.
 */
public class Main {
    static Store store = new Store();

    public static void main(String[] args) throws Exception {
        String me = args.length > 0 ? args[0] : "terminal";
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.trim().split("\\s+");
            if (w.length == 0 || w[0].isEmpty()) {
                continue;
            }
            try {
                switch (w[0]) {
                    case "add":
                        say(store.add(w[1], w[2], Double.parseDouble(w[3]), Integer.parseInt(w[4])));
                        break;
                    case "buy":
                        say(store.buy(me, w[1], Integer.parseInt(w[2])));
                        break;
                    case "price":
                        say(store.price(w[1], Double.parseDouble(w[2])));
                        break;
                    case "list":
                        for (String p : store.list()) {
                            say(p);
                        }
                        break;
                    case "sales":
                        for (String s : store.sales()) {
                            say(s);
                        }
                        break;
                    case "quit":
                        return;
                    default:
                        say("unknown command " + w[0] + " (add, buy, price, list, sales, quit)");
                }
            } catch (RuntimeException e) {
                say("bad command '" + line + "': " + e);
            }
        }
    }

    private static void say(String s) {
        System.out.println("app: " + s);
        System.out.flush();
    }
}
