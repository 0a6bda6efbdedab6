package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.Test;

/**
 * examples/jtable under Xvfb (a server started by the test on a free display, killed after; no
 * Xvfb installed: headless, the model part only): two JVMs show one shared
 * {@code DefaultTableModel} in a {@code JTable}; an edit, a row insert and a row remove made in
 * one appear in the other's {@code JTable} (read back through the table's renderers on its event
 * thread, in the view order of a row sorter that only the model's events update), whose model
 * listener heard the events; the same for a shared {@code DefaultListModel} in a {@code JList}; the awt value types of a shared sketch read equal in another JVM.
 */
public class JTableExampleTest extends DesktopExampleTestBase {
    @Override
    protected String exampleName() {
        return "jtable";
    }

    @Override
    protected String mainClass() {
        return "demo.jtable.Main";
    }

    /** Waits for the n-th {@code heard} line, then returns the first whole table printed after it. */
    private List<String> tableAfter(String tag, Process p, String heard, int n) throws Exception {
        return blockAfter(tag, p, heard, n, "app: == table");
    }


    @Test
    public void anEditInOneJvmAppearsInTheOthersJTable() throws Exception {
        Process left = start("left");
        await("left", left, "app: ready");
        Process right = start("right");
        await("right", right, "app: ready");
        // The second JVM's constructor made a model of its own: it got the first JVM's.
        type(right, "print\n");
        await("right", right, "app: == end");
        assertEquals(Arrays.asList("app: == table (3 rows; Time, Meeting, Room)",
                "app: 09:00 | Standup | Room 1",
                "app: 10:30 | Design review | Room 2",
                "app: 14:00 | Planning | Room 1"), tableAfter("right", right, "app: ready", 1));

        type(left, "set 0 2 Room 9\n");
        assertEquals(Arrays.asList("app: == table (3 rows; Time, Meeting, Room)",
                "app: 09:00 | Standup | Room 9",
                "app: 10:30 | Design review | Room 2",
                "app: 14:00 | Planning | Room 1"), tableAfter("right", right, "app: heard update rows 0-0 col 2", 1));

        // Inserted as model row 0; the sorter (updated by the events only) places it by time.
        type(left, "insert 0 11:00|Lunch|Canteen\n");
        assertEquals(Arrays.asList("app: == table (4 rows; Time, Meeting, Room)",
                "app: 09:00 | Standup | Room 9",
                "app: 10:30 | Design review | Room 2",
                "app: 11:00 | Lunch | Canteen",
                "app: 14:00 | Planning | Room 1"), tableAfter("right", right, "app: heard insert rows 0-0", 1));

        // The other way round: the second JVM removes model row 2 (10:30), the first one sees it.
        type(right, "remove 2\n");
        assertEquals(Arrays.asList("app: == table (3 rows; Time, Meeting, Room)",
                "app: 09:00 | Standup | Room 9",
                "app: 11:00 | Lunch | Canteen",
                "app: 14:00 | Planning | Room 1"), tableAfter("left", left, "app: heard delete rows 2-2", 1));

        // New column names: setColumnIdentifiers -> setDataVector, whose own field stores are recorded.
        type(right, "columns When|What|Where\n");
        List<String> renamed = tableAfter("left", left, "app: heard update rows -1--1", 1);
        assertEquals(renamed.toString(), "app: == table (3 rows; When, What, Where)", renamed.get(0));
        assertTrue(renamed.toString(), renamed.contains("app: 11:00 | Lunch | Canteen"));

        // Chatter: a shared DefaultListModel in a JList, changed with no synchronized anywhere.
        type(left, "chat hello there\n");
        assertEquals(Arrays.asList("app: == chat (1 lines)", "app: left: hello there"),
                blockAfter("right", right, "app: chat heard added 0-0", 1, "app: == chat"));
        type(right, "chat hi\n");
        assertEquals(Arrays.asList("app: == chat (2 lines)", "app: left: hello there", "app: right: hi"),
                blockAfter("left", left, "app: chat heard added 1-1", 1, "app: == chat"));
        type(left, "unchat 0\n");
        assertEquals(Arrays.asList("app: == chat (1 lines)", "app: right: hi"),
                blockAfter("right", right, "app: chat heard removed 0-0", 1, "app: == chat"));

        type(left, "quit\n");
        type(right, "quit\n");
        finish(left);
        finish(right);
        // Each event was heard once on each JVM: the remote run of fire* was not sent back.
        assertEquals(1, count("left", "app: heard update rows 0-0 col 2"));
        assertEquals(1, count("right", "app: heard update rows 0-0 col 2"));
        assertEquals(1, count("left", "app: heard insert rows 0-0"));
        assertEquals(1, count("right", "app: heard delete rows 2-2"));
        assertEquals(1, count("right", "app: chat heard added 0-0"));
        assertEquals(1, count("left", "app: chat heard added 1-1"));
        assertFalse(err("left"), err("left").contains("Exception"));
        assertFalse(err("right"), err("right").contains("Exception"));
    }

    /** What runs when no Xvfb can be installed: the model part, headless (a JTable without a window). */
    @Test
    public void theModelPartRunsHeadless() throws Exception {
        childEnv.remove("DISPLAY");
        childEnv.put("JAVA_TOOL_OPTIONS", "-Djava.awt.headless=true");
        Process left = start("left");
        await("left", left, "app: ready");
        Process right = start("right");
        await("right", right, "app: ready");
        type(right, "set 2 1 Retro\n");
        assertEquals(Arrays.asList("app: == table (3 rows; Time, Meeting, Room)",
                "app: 09:00 | Standup | Room 1",
                "app: 10:30 | Design review | Room 2",
                "app: 14:00 | Retro | Room 1"), tableAfter("left", left, "app: heard update rows 2-2 col 1", 1));
        type(left, "insert 3 08:00|Coffee|Kitchen\n");
        assertEquals(Arrays.asList("app: == table (4 rows; Time, Meeting, Room)",
                "app: 08:00 | Coffee | Kitchen",
                "app: 09:00 | Standup | Room 1",
                "app: 10:30 | Design review | Room 2",
                "app: 14:00 | Retro | Room 1"), tableAfter("right", right, "app: heard insert rows 3-3", 1));
        type(left, "quit\n");
        type(right, "quit\n");
        finish(left);
        finish(right);
    }

    @Test
    public void awtValuesMadeInOneJvmReadEqualInAnother() throws Exception {
        Process left = start("left");
        await("left", left, "app: ready");
        type(left, "draw\n");
        await("left", left, "app: drew 11 marks, 4 values");
        type(left, "marks\n");
        await("left", left, "app: value java.awt.Rectangle[x=5,y=6,width=7,height=8] same");
        List<String> made = marks("left");

        Process right = start("right");
        await("right", right, "app: ready");
        type(right, "marks\n");
        await("right", right, "app: value java.awt.Rectangle[x=5,y=6,width=7,height=8] same");
        List<String> read = marks("right");
        assertEquals(made, read);
        assertEquals(15, read.size());
        for (String s : read) {
            assertTrue(s, s.endsWith(" same"));
        }
        assertTrue(read.toString(), read.get(1).contains("Ellipse2D$Double") && read.get(1).contains("color#800a141e")
                && read.get(1).contains("dash [4.0,2.0]") && read.get(1).contains("by left"));
        assertTrue(read.toString(), read.get(9).contains("GeneralPath[ 0:0.0,0.0 1:10.0,0.0 2:12.0,5.0,5.0,10.0 4 ]"));

        // A write to a shared Point's public field (p.x = ..., in instrumented code) is shared.
        type(right, "move 3 40 50\nmarks\n");
        await("right", right, "app: moved mark 3 to 40,50");
        type(left, "marks\n");
        long deadline = System.currentTimeMillis() + 30_000;
        while (!lines("left").stream().anyMatch(l -> l.startsWith("app: 3 ") && l.contains(" at 40,50 "))) {
            assertTrue(String.join("\n", lines("left")), System.currentTimeMillis() < deadline && left.isAlive());
            Thread.sleep(20);
        }
        long until;
        // In-place mutators (translate, setRect, lineTo, setLocation) called in instrumented code are shared.
        type(left, "reshape\n");
        await("left", left, "app: reshaped");
        int mark = lines("right").size();
        type(right, "marks\n");
        until = System.currentTimeMillis() + 30_000;
        while (lines("right").size() < mark + 15) {
            assertTrue(String.join("\n", lines("right")), System.currentTimeMillis() < until && right.isAlive());
            Thread.sleep(20);
        }
        Thread.sleep(300);
        List<String> moved = lines("right").subList(mark, lines("right").size());
        assertTrue(moved.toString(), moved.get(0).startsWith("app: 0 Rectangle[ 0:11.0,22.0 "));
        assertTrue(moved.toString(), moved.get(1).contains(" at 7,8 "));
        assertTrue(moved.toString(), moved.get(5).startsWith("app: 5 Rectangle2D$Double[ 0:0.5,0.25 1:2.5,0.25 "));
        assertTrue(moved.toString(), moved.get(9).startsWith("app: 9 GeneralPath[ 0:0.0,0.0 1:10.0,0.0 2:12.0,5.0,5.0,10.0 4 1:20.0,20.0 ]"));
        assertEquals(moved.toString(), "app: value Point2D.Double[9.5, 8.5] DIFFERENT", moved.get(12));

        // Bad input: an unlocked write to a shared Point, a non-portable Font in a new mark.
        type(right, "unlocked-move 3 99\nfont\n");
        until = System.currentTimeMillis() + 30_000;
        while (lines("right").stream().noneMatch(l -> l.startsWith("app: bad command 'font'"))) {
            assertTrue(String.join("\n", lines("right")), System.currentTimeMillis() < until && right.isAlive());
            Thread.sleep(20);
        }
        String unlocked = lines("right").stream().filter(l -> l.startsWith("app: bad command 'unlocked-move"))
                .findFirst().orElse("");
        assertTrue(unlocked, unlocked.contains("UnlockedSharedObjectException: kiln: java.awt.Point.x of a shared object")
                && unlocked.contains("outside any cluster lock") && unlocked.contains("<autolock>"));
        String font = lines("right").stream().filter(l -> l.startsWith("app: bad command 'font'")).findFirst().orElse("");
        assertTrue(font, font.contains("TCNonPortableObjectError: kiln: ") && font.contains(".label holds a java.awt.Font")
                && font.contains("Nothing of this transaction was shared"));
        assertFalse(String.join("\n", lines("right")), lines("right").contains("app: moved outside a lock?!"));
        // Nothing of either reached the other JVM: still 11 marks (+ 4 values), mark 3 at 40,50.
        int before = lines("left").size();
        type(left, "marks\n");
        until = System.currentTimeMillis() + 30_000;
        while (lines("left").size() < before + 15) {
            assertTrue(String.join("\n", lines("left")), System.currentTimeMillis() < until && left.isAlive());
            Thread.sleep(20);
        }
        Thread.sleep(300);
        List<String> again = lines("left").subList(before, lines("left").size());
        assertEquals(again.toString(), 15, again.size());
        assertTrue(again.toString(), again.get(3).contains(" at 40,50 "));

        type(left, "quit\n");
        type(right, "quit\n");
        finish(left);
        finish(right);
    }

    /** The first block of mark/value lines a JVM printed (without the "app: " prefix). */
    private List<String> marks(String tag) throws Exception {
        List<String> out = new ArrayList<>();
        for (String l : lines(tag)) {
            if (l.matches("app: (\\d+ |value ).*")) {
                out.add(l.substring(5));
            }
            if (out.size() == 15) {
                break;
            }
        }
        return out;
    }
}
