package demo.jtable;

import java.awt.Component;
import java.awt.GraphicsEnvironment;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.swing.DefaultListModel;
import javax.swing.JFrame;
import javax.swing.JList;
import javax.swing.JLabel;
import javax.swing.JScrollPane;
import javax.swing.JTable;
import javax.swing.RowSorter;
import javax.swing.SortOrder;
import javax.swing.SwingUtilities;
import javax.swing.event.TableModelEvent;
import javax.swing.table.DefaultTableModel;
import javax.swing.table.TableRowSorter;

/**
 * Terracotta's jtable demo, in plain Swing: a meeting schedule in a {@code DefaultTableModel}
 * (the root {@code demo.jtable.Main.model}, an instance field) shown in a {@code JTable}, sorted
 * by time, in every JVM that runs it. Edits typed in the table, or given on stdin, go through the
 * model's own methods on the Swing event thread; every JVM's table shows them.
 *
 * <p>stdin, one command a line: {@code set ROW COL TEXT}, {@code insert ROW TIME|WHAT|WHERE},
 * {@code remove ROW} (model rows), {@code columns A|B|C}, {@code chat TEXT}, {@code unchat I} (chatter: a shared
 * {@code DefaultListModel} in a {@code JList}, the root {@code demo.jtable.Main.chat}), {@code print} (the table as the {@code JTable} renders it, in
 * view order), {@code draw}, {@code move I X Y}, {@code reshape}, {@code marks} (the shared sketch, see
 * {@link Sketch}), {@code quit}. Argument: this JVM's name.
 */
public class Main {
    private static final Object[] HEADER = {"Time", "Meeting", "Room"};
    private static final Object[][] DATA = {
        {"09:00", "Standup", "Room 1"},
        {"10:30", "Design review", "Room 2"},
        {"14:00", "Planning", "Room 1"},
    };

    /** The root: the first JVM's model is every JVM's (the constructor's local one is dropped). */
    private DefaultTableModel model;
    /** The second root: chatter's shared message list, shown in a JList. */
    private DefaultListModel<String> chat;
    private JTable table;
    private JList<String> lines;
    private final String me;

    Main(String me) {
        this.me = me;
        model = new DefaultTableModel(DATA, HEADER);
        chat = new DefaultListModel<>();
    }

    /** On the event thread: the table (and a window when there is a display) and a listener saying what it heard. */
    private void show() {
        table = new JTable(model);
        TableRowSorter<DefaultTableModel> sorter = new TableRowSorter<>(model);
        List<RowSorter.SortKey> keys = new ArrayList<>();
        keys.add(new RowSorter.SortKey(0, SortOrder.ASCENDING));
        sorter.setSortKeys(keys);
        // Re-sorted only by the model's events: the view's row count proves the JTable heard them.
        sorter.setSortsOnUpdates(true);
        table.setRowSorter(sorter);
        model.addTableModelListener(e -> {
            say("heard " + kind(e.getType()) + " rows " + e.getFirstRow() + "-" + e.getLastRow()
                    + (e.getColumn() == TableModelEvent.ALL_COLUMNS ? "" : " col " + e.getColumn()));
            SwingUtilities.invokeLater(this::print); // after the JTable (a listener too) handled the event
        });
        lines = new JList<>(chat);
        chat.addListDataListener(new javax.swing.event.ListDataListener() {
            @Override
            public void intervalAdded(javax.swing.event.ListDataEvent e) {
                heard("added", e);
            }

            @Override
            public void intervalRemoved(javax.swing.event.ListDataEvent e) {
                heard("removed", e);
            }

            @Override
            public void contentsChanged(javax.swing.event.ListDataEvent e) {
                heard("changed", e);
            }
        });
        if (!GraphicsEnvironment.isHeadless()) {
            JFrame f = new JFrame("Kiln jtable: " + me);
            f.getContentPane().add(new JScrollPane(table), java.awt.BorderLayout.CENTER);
            f.getContentPane().add(new JScrollPane(lines), java.awt.BorderLayout.SOUTH);
            f.setSize(480, 200);
            f.setDefaultCloseOperation(JFrame.DISPOSE_ON_CLOSE);
            f.setVisible(true);
        }
    }

    private void heard(String what, javax.swing.event.ListDataEvent e) {
        say("chat heard " + what + " " + e.getIndex0() + "-" + e.getIndex1());
        SwingUtilities.invokeLater(() -> {
            // As the JList renders it.
            StringBuilder b = new StringBuilder("== chat (" + lines.getModel().getSize() + " lines)");
            for (int i = 0; i < lines.getModel().getSize(); i++) {
                Component c = lines.getCellRenderer().getListCellRendererComponent(lines,
                        lines.getModel().getElementAt(i), i, false, false);
                b.append("\napp: ").append(((JLabel) c).getText());
            }
            say(b.append("\napp: == end").toString());
        });
    }

    private static String kind(int type) {
        return type == TableModelEvent.INSERT ? "insert" : type == TableModelEvent.DELETE ? "delete" : "update";
    }

    /** The table as the JTable renders it (view order, renderer text). */
    private void print() {
        StringBuilder b = new StringBuilder("== table (" + table.getRowCount() + " rows;");
        for (int c = 0; c < table.getColumnCount(); c++) {
            b.append(c == 0 ? " " : ", ").append(table.getColumnName(c)); // the JTable's columns
        }
        b.append(")");
        for (int r = 0; r < table.getRowCount(); r++) {
            b.append("\napp: ");
            for (int c = 0; c < table.getColumnCount(); c++) {
                Component comp = table.prepareRenderer(table.getCellRenderer(r, c), r, c);
                b.append(c == 0 ? "" : " | ").append(((JLabel) comp).getText());
            }
        }
        say(b.append("\napp: == end").toString());
    }

    private void apply(String[] w, String line) {
        switch (w[0]) {
            case "set":
                model.setValueAt(line.split("\\s+", 4)[3], Integer.parseInt(w[1]), Integer.parseInt(w[2]));
                break;
            case "insert":
                model.insertRow(Integer.parseInt(w[1]), (Object[]) line.split("\\s+", 3)[2].split("\\|"));
                break;
            case "columns": // setColumnIdentifiers: the JDK's setDataVector assigns the model's fields
                model.setColumnIdentifiers((Object[]) line.split("\\s+", 2)[1].split("\\|"));
                break;
            case "remove":
                model.removeRow(Integer.parseInt(w[1]));
                break;
            case "chat": // no synchronized: the model takes its own cluster lock
                chat.addElement(me + ": " + line.split("\\s+", 2)[1]);
                break;
            case "unchat":
                chat.removeElementAt(Integer.parseInt(w[1]));
                break;
            case "print":
                print();
                break;
            default:
                say("unknown command " + w[0] + " (set, insert, remove, columns, print, chat, unchat, draw, move, marks, quit)");
        }
    }

    public static void main(String[] args) throws Exception {
        Main m = new Main(args.length > 0 ? args[0] : "desk");
        SwingUtilities.invokeAndWait(m::show);
        say("ready");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            String[] w = line.trim().split("\\s+");
            if (w.length == 0 || w[0].isEmpty()) {
                continue;
            }
            if (w[0].equals("quit")) {
                break;
            }
            String l = line.trim();
            try {
                switch (w[0]) {
                    case "draw":
                        say(Sketch.draw(m.me));
                        continue;
                    case "reshape":
                        say(Sketch.reshape());
                        continue;
                    case "move":
                        say(Sketch.move(Integer.parseInt(w[1]), Integer.parseInt(w[2]), Integer.parseInt(w[3])));
                        continue;
                    case "unlocked-move": // Main is not autolocked: refused, nothing shared
                        Sketch.marks.get(Integer.parseInt(w[1])).anchor.x = Integer.parseInt(w[2]);
                        say("moved outside a lock?!");
                        continue;
                    case "font":
                        say(Sketch.addFont(m.me));
                        continue;
                    case "marks":
                        for (String s : Sketch.marks()) {
                            say(s);
                        }
                        continue;
                    default:
                        SwingUtilities.invokeAndWait(() -> m.apply(w, l)); // Swing models change on the event thread
                }
            } catch (Exception | Error e) { // TCNonPortableObjectError is an Error
                say("bad command '" + line + "': " + (e.getCause() != null ? e.getCause() : e));
            }
        }
        System.exit(0); // the window's event thread would keep the JVM up
    }

    static synchronized void say(String s) {
        System.out.println("app: " + s);
        System.out.flush();
    }
}
