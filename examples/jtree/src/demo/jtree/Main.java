package demo.jtree;

import java.awt.Component;
import java.awt.GraphicsEnvironment;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JScrollPane;
import javax.swing.JTree;
import javax.swing.SwingUtilities;
import javax.swing.event.TreeModelEvent;
import javax.swing.event.TreeModelListener;
import javax.swing.tree.DefaultMutableTreeNode;
import javax.swing.tree.DefaultTreeModel;
import javax.swing.tree.TreePath;

/**
 * A shared organisation chart, in plain Swing: a {@code DefaultTreeModel} of
 * {@code DefaultMutableTreeNode}s (the root {@code demo.jtree.Main.model}, an instance field)
 * shown in a {@code JTree} in every JVM that runs it. Edits go through the model's own methods
 * (no lock needed: the agent gives a shared tree model a lock of its own), or edit the nodes
 * directly under {@code synchronized (model)} in the autolocked {@code locked*} methods; every
 * JVM's tree shows them.
 *
 * <p>stdin, one command a line (PATH: node names from the root, '/'-separated):
 * {@code add PATH NAME} (insertNodeInto), {@code remove PATH} (removeNodeFromParent),
 * {@code rename PATH NAME} (valueForPathChanged), {@code edit PATH NAME} (setUserObject +
 * nodeChanged, locked), {@code graft PATH NAME} (node.add + nodeStructureChanged, locked),
 * {@code unlocked PATH NAME} (node.add outside any lock: refused), {@code reload},
 * {@code reroot NAME} (a new root above the old one: setRoot, locked),
 * {@code mark KEY PATH} (a TreePath into the shared map {@code demo.jtree.Main.marks}),
 * {@code marks}, {@code print} (the tree as the JTree renders it, every row expanded),
 * {@code quit}. Argument: this JVM's name.
 */
public class Main {
    /** The root: the first JVM's chart is every JVM's (the constructor's local one is dropped). */
    private DefaultTreeModel model;
    /** The second root: bookmarks, tree paths by name. */
    private Map<String, TreePath> marks;
    private JTree tree;
    private final String me;

    Main(String me) {
        this.me = me;
        DefaultMutableTreeNode acme = new DefaultMutableTreeNode("Acme");
        DefaultMutableTreeNode eng = new DefaultMutableTreeNode("Engineering");
        eng.add(new DefaultMutableTreeNode("Alice"));
        eng.add(new DefaultMutableTreeNode("Bob"));
        DefaultMutableTreeNode sales = new DefaultMutableTreeNode("Sales");
        sales.add(new DefaultMutableTreeNode("Carol"));
        acme.add(eng);
        acme.add(sales);
        model = new DefaultTreeModel(acme);
        marks = new HashMap<>();
    }

    /** On the event thread: the tree (and a window when there is a display) and a listener saying what it heard. */
    private void show() {
        tree = new JTree(model);
        model.addTreeModelListener(new TreeModelListener() {
            @Override
            public void treeNodesChanged(TreeModelEvent e) {
                heard("changed", e);
            }

            @Override
            public void treeNodesInserted(TreeModelEvent e) {
                heard("inserted", e);
            }

            @Override
            public void treeNodesRemoved(TreeModelEvent e) {
                heard("removed", e);
            }

            @Override
            public void treeStructureChanged(TreeModelEvent e) {
                heard("structure", e);
            }
        });
        if (!GraphicsEnvironment.isHeadless()) {
            JFrame f = new JFrame("Kiln jtree: " + me);
            f.getContentPane().add(new JScrollPane(tree));
            f.setSize(320, 400);
            f.setDefaultCloseOperation(JFrame.DISPOSE_ON_CLOSE);
            f.setVisible(true);
        }
    }

    private void heard(String what, TreeModelEvent e) {
        say("heard " + what + " " + (e.getTreePath() == null ? "null" : e.getTreePath().toString())
                + (e.getChildIndices() == null ? "" : " " + Arrays.toString(e.getChildIndices()))
                + (e.getChildren() == null ? "" : " " + Arrays.toString(e.getChildren())));
        SwingUtilities.invokeLater(this::print); // after the JTree (a listener too) handled the event
    }

    /** The tree as the JTree renders it: every row expanded, indented by depth, the renderer's text. */
    private void print() {
        for (int i = 0; i < tree.getRowCount(); i++) {
            tree.expandRow(i);
        }
        StringBuilder b = new StringBuilder("== tree (" + tree.getRowCount() + " rows)");
        for (int r = 0; r < tree.getRowCount(); r++) {
            TreePath p = tree.getPathForRow(r);
            Object v = p.getLastPathComponent();
            Component c = tree.getCellRenderer().getTreeCellRendererComponent(tree, v, false, tree.isExpanded(r),
                    tree.getModel().isLeaf(v), r, false);
            b.append("\napp: ");
            for (int d = 1; d < p.getPathCount(); d++) {
                b.append("  ");
            }
            b.append(((JLabel) c).getText());
        }
        say(b.append("\napp: == end").toString());
    }

    /** The node at a '/'-separated path of names from the root. */
    private DefaultMutableTreeNode node(String path) {
        String[] names = path.split("/");
        DefaultMutableTreeNode n = (DefaultMutableTreeNode) model.getRoot();
        if (!n.toString().equals(names[0])) {
            throw new IllegalArgumentException("no node " + path);
        }
        for (int i = 1; i < names.length; i++) {
            DefaultMutableTreeNode next = null;
            for (int c = 0; c < n.getChildCount(); c++) {
                if (n.getChildAt(c).toString().equals(names[i])) {
                    next = (DefaultMutableTreeNode) n.getChildAt(c);
                }
            }
            if (next == null) {
                throw new IllegalArgumentException("no node " + path);
            }
            n = next;
        }
        return n;
    }

    /** Direct node edit under the cluster lock of the shared model (autolocked: {@code locked*}). */
    private void lockedEdit(DefaultMutableTreeNode n, String name) {
        synchronized (model) {
            n.setUserObject(name);
            model.nodeChanged(n);
        }
    }

    /** Direct node add under the cluster lock of the shared model (autolocked: {@code locked*}). */
    private void lockedGraft(DefaultMutableTreeNode n, String name) {
        synchronized (model) {
            n.add(new DefaultMutableTreeNode(name));
            model.nodeStructureChanged(n);
        }
    }

    /** A new root above the old one (setRoot), under the model's cluster lock (autolocked: {@code locked*}). */
    private void lockedReroot(String name) {
        synchronized (model) {
            DefaultMutableTreeNode top = new DefaultMutableTreeNode(name);
            top.add((DefaultMutableTreeNode) model.getRoot());
            model.setRoot(top);
        }
    }

    private void lockedMark(String key, TreePath p) {
        synchronized (marks) {
            marks.put(key, p);
        }
    }

    private void apply(String[] w, String line) {
        String[] a = line.split("\\s+", 3);
        switch (w[0]) {
            case "add": { // no synchronized: the model takes its own cluster lock
                DefaultMutableTreeNode parent = node(a[1]);
                model.insertNodeInto(new DefaultMutableTreeNode(a[2]), parent, parent.getChildCount());
                break;
            }
            case "remove":
                model.removeNodeFromParent(node(a[1]));
                break;
            case "rename":
                model.valueForPathChanged(new TreePath(node(a[1]).getPath()), a[2]);
                break;
            case "edit":
                lockedEdit(node(a[1]), a[2]);
                break;
            case "graft":
                lockedGraft(node(a[1]), a[2]);
                break;
            case "unlocked":
                node(a[1]).add(new DefaultMutableTreeNode(a[2]));
                say("added outside a lock?!");
                break;
            case "reload":
                model.reload();
                break;
            case "reroot":
                lockedReroot(a[1]);
                break;
            case "mark":
                lockedMark(a[1], new TreePath(node(a[2]).getPath()));
                say("marked " + a[1]);
                break;
            case "marks":
                for (Map.Entry<String, TreePath> e : new TreeMap<>(marks).entrySet()) {
                    TreePath p = e.getValue();
                    say("mark " + e.getKey() + " " + p + " " + p.getPathCount() + " deep, leaf "
                            + p.getLastPathComponent() + (p.getParentPath().getLastPathComponent()
                            == ((DefaultMutableTreeNode) p.getLastPathComponent()).getParent() ? " in the tree" : " NOT in the tree"));
                }
                say("marks end");
                break;
            case "print":
                print();
                break;
            default:
                say("unknown command " + w[0] + " (add, remove, rename, edit, graft, unlocked, reload, reroot, mark, marks, print, quit)");
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
                SwingUtilities.invokeAndWait(() -> m.apply(w, l)); // Swing models change on the event thread
            } catch (Exception | Error e) {
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
