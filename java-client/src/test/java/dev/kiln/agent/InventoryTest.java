package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.Test;

/**
 * examples/inventory: a console program driven over stdin in three JVMs sharing one store (a
 * TreeMap of plain products and a list of sales): what one terminal adds, sells or reprices, the
 * others list; a sale beyond the stock is refused everywhere.
 */
public class InventoryTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "inventory";
    }

    @Override
    protected String mainClass() {
        return "demo.inventory.Main";
    }

    private static void type(Process p, String lines) throws Exception {
        OutputStream in = p.getOutputStream();
        in.write(lines.getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    private void awaitOutput(String tag, Process p, String text) throws Exception {
        Path out = workDir().resolve(tag + ".out");
        long deadline = System.currentTimeMillis() + 60_000;
        while (!new String(Files.readAllBytes(out), StandardCharsets.UTF_8).contains(text)) {
            assertTrue(tag + " printed '" + text + "'", System.currentTimeMillis() < deadline && p.isAlive());
            Thread.sleep(20);
        }
    }

    @Test
    public void threeTerminalsShareOneStore() throws Exception {
        Process north = start("north");
        type(north, "add A1 lamp 19.90 5\nadd B2 chair 45 2\n");
        awaitOutput("north", north, "app: added B2");

        Process south = start("south");
        type(south, "list\nbuy A1 2\nbuy B2 3\nbuy B2 2\nsales\nquit\n");
        assertEquals(String.join("\n",
                "app: A1 lamp 19.90 x5",
                "app: B2 chair 45.00 x2",
                "app: sold 2 A1, 3 left",
                "app: only 2 of B2 left",
                "app: sold 2 B2, 0 left",
                "app: south bought 2 A1",
                "app: south bought 2 B2"), finish(south));

        type(north, "list\nprice A1 17.50\nadd B2 chair 45 4\nquit\n");
        assertEquals(String.join("\n",
                "app: added A1",
                "app: added B2",
                "app: A1 lamp 19.90 x3",
                "app: B2 chair 45.00 x0",
                "app: price of A1 is now 17.50",
                "app: restocked B2 to 4"), finish(north));

        Process east = start("east");
        type(east, "list\nsales\nquit\n");
        assertEquals(String.join("\n",
                "app: A1 lamp 17.50 x3",
                "app: B2 chair 45.00 x4",
                "app: south bought 2 A1",
                "app: south bought 2 B2"), finish(east));
    }
}
