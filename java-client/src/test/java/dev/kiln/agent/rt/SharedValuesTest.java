package dev.kiln.agent.rt;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.kiln.agent.jdk.KilnDefaultListModel;
import dev.kiln.agent.jdk.KilnDefaultTableModel;

import java.awt.Color;
import java.awt.Point;
import java.awt.SystemColor;
import java.awt.geom.GeneralPath;
import java.awt.geom.Path2D;
import java.util.ArrayList;
import java.util.List;
import java.util.Vector;

import javax.swing.DefaultListModel;
import javax.swing.event.ListDataEvent;
import javax.swing.event.ListDataListener;
import javax.swing.table.DefaultTableModel;

import org.junit.Test;

/**
 * No server: which classes are awt value types and which fields are transient for them, and that
 * a Kiln Swing model that is not shared behaves exactly as the JDK's (same content, same events).
 */
public class SharedValuesTest {
    @Test
    public void valueTypesAreExactClasses() {
        assertTrue(SharedValues.isValue(new Color(1, 2, 3)));
        assertTrue(SharedValues.isValue(new Point()));
        assertTrue(SharedValues.isValue(new GeneralPath()));
        assertTrue(SharedValues.isValue(new Path2D.Double()));
        assertFalse("a subclass is not one", SharedValues.isValue(SystemColor.window));
        assertFalse(SharedValues.isValue(new java.awt.Font("Serif", 0, 12)));
        assertTrue(SharedValues.barrieredOwner("java/awt/Point"));
        assertFalse(SharedValues.barrieredOwner("java/awt/SystemColor"));
        assertEquals(0, SharedValues.oid(new Point())); // never shared here
    }

    private static String descriptor(Class<?> c) {
        if (c.isArray()) {
            return c.getName().replace('.', '/');
        }
        if (!c.isPrimitive()) {
            return "L" + c.getName().replace('.', '/') + ";";
        }
        return c == int.class ? "I" : c == double.class ? "D" : c == float.class ? "F" : c == boolean.class ? "Z"
                : c == long.class ? "J" : String.valueOf(c.getName().toUpperCase(java.util.Locale.ROOT).charAt(0));
    }

    /** Every generated mutator twin is found by the rewriter's lookup, and makes the same call. */
    @Test
    public void everyValueCallTwinMatchesItsTarget() throws Exception {
        int n = 0;
        for (java.lang.reflect.Method m : ValueCalls.class.getDeclaredMethods()) {
            if (!java.lang.reflect.Modifier.isPublic(m.getModifiers()) || m.getName().equals("target")) {
                continue;
            }
            String[] parts = m.getName().split("_");
            String name = parts[parts.length - 2];
            Class<?>[] ps = m.getParameterTypes();
            StringBuilder desc = new StringBuilder("(");
            for (int i = 1; i < ps.length; i++) {
                desc.append(descriptor(ps[i]));
            }
            desc.append(")V");
            String owner = ps[0].getName().replace('.', '/');
            assertEquals(owner + "." + name + desc, m.getName(), ValueCalls.target(owner, name, desc.toString()));
            assertTrue(ps[0].getMethod(name, java.util.Arrays.copyOfRange(ps, 1, ps.length)) != null);
            n++;
        }
        assertEquals(201, n);
        assertEquals(null, ValueCalls.target("java/awt/Point", "getX", "()D"));
        Point p = new Point(1, 2);
        ValueCalls.class.getMethod(ValueCalls.target("java/awt/Point", "translate", "(II)V"), Point.class, int.class, int.class)
                .invoke(null, p, 10, 20);
        assertEquals(new Point(11, 22), p); // not shared: just the call
    }

    @Test
    public void colorSpaceAndListenerListsAreTransientPathsAreNot() throws Exception {
        assertTrue(SharedValues.transientField(Color.class.getDeclaredField("cs")));
        assertFalse(SharedValues.transientField(Color.class.getDeclaredField("value")));
        assertTrue(SharedValues.transientField(javax.swing.table.AbstractTableModel.class.getDeclaredField("listenerList")));
        assertTrue(SharedValues.transientField(javax.swing.AbstractListModel.class.getDeclaredField("listenerList")));
        assertTrue(SharedValues.transientField(javax.swing.tree.DefaultTreeModel.class.getDeclaredField("listenerList")));
        assertFalse("a node's Java-transient userObject is its label",
                SharedValues.transientField(javax.swing.tree.DefaultMutableTreeNode.class.getDeclaredField("userObject")));
        assertFalse("Path2D's Java-transient fields are the path",
                SharedValues.transientField(Path2D.class.getDeclaredField("pointTypes")));
    }

    private static List<String> drive(DefaultTableModel m) {
        List<String> events = new ArrayList<>();
        m.addTableModelListener(e -> events.add(e.getType() + ":" + e.getFirstRow() + "-" + e.getLastRow() + ":" + e.getColumn()));
        m.addRow(new Object[] {"a", 1});
        m.insertRow(0, new Object[] {"b", 2});
        m.setValueAt("c", 1, 0);
        m.moveRow(0, 0, 1);
        m.addColumn("third");
        m.setColumnIdentifiers(new Object[] {"x", "y", "z"});
        m.removeRow(0);
        m.setRowCount(3);
        events.add(m.getDataVector().toString() + " " + m.getColumnName(2) + " " + m.getRowCount() + "x" + m.getColumnCount());
        return events;
    }

    @Test
    public void anUnsharedTableModelIsTheJdks() {
        List<String> jdk = drive(new DefaultTableModel(new Object[] {"k", "v"}, 0));
        List<String> kiln = drive(new KilnDefaultTableModel(new Object[] {"k", "v"}, 0));
        assertEquals(jdk, kiln);
        assertEquals(9, kiln.size());
    }

    private static List<String> drive(DefaultListModel<String> m) {
        List<String> events = new ArrayList<>();
        m.addListDataListener(new ListDataListener() {
            @Override
            public void intervalAdded(ListDataEvent e) {
                events.add("+" + e.getIndex0() + "-" + e.getIndex1());
            }

            @Override
            public void intervalRemoved(ListDataEvent e) {
                events.add("-" + e.getIndex0() + "-" + e.getIndex1());
            }

            @Override
            public void contentsChanged(ListDataEvent e) {
                events.add("~" + e.getIndex0() + "-" + e.getIndex1());
            }
        });
        m.addElement("a");
        m.add(0, "b");
        m.set(1, "c");
        m.insertElementAt("d", 2);
        m.removeElement("b");
        m.addAll(new Vector<>(java.util.Arrays.asList("e", "f")));
        m.removeRange(0, 1);
        m.setSize(5);
        events.add(m.toString() + " " + m.getSize() + " " + m.getElementAt(0));
        m.clear();
        events.add(String.valueOf(m.isEmpty()));
        return events;
    }

    @Test
    public void anUnsharedListModelIsTheJdks() {
        List<String> jdk = drive(new DefaultListModel<>());
        List<String> kiln = drive(new KilnDefaultListModel<>());
        assertEquals(jdk, kiln);
        assertEquals(11, kiln.size());
    }

    /** Builds and edits a tree through the model and directly; the events heard and the tree after. */
    private static List<String> drive(java.util.function.Function<Object, javax.swing.tree.DefaultMutableTreeNode> node,
            java.util.function.Function<javax.swing.tree.TreeNode, javax.swing.tree.DefaultTreeModel> model) {
        List<String> events = new ArrayList<>();
        javax.swing.tree.DefaultMutableTreeNode root = node.apply("root");
        javax.swing.tree.DefaultMutableTreeNode a = node.apply("a");
        root.add(a);
        javax.swing.tree.DefaultTreeModel m = model.apply(root);
        m.addTreeModelListener(new javax.swing.event.TreeModelListener() {
            private void heard(String what, javax.swing.event.TreeModelEvent e) {
                events.add(what + " " + e.getTreePath() + " " + java.util.Arrays.toString(e.getChildIndices()) + " "
                        + java.util.Arrays.toString(e.getChildren()));
            }

            @Override
            public void treeNodesChanged(javax.swing.event.TreeModelEvent e) {
                heard("changed", e);
            }

            @Override
            public void treeNodesInserted(javax.swing.event.TreeModelEvent e) {
                heard("inserted", e);
            }

            @Override
            public void treeNodesRemoved(javax.swing.event.TreeModelEvent e) {
                heard("removed", e);
            }

            @Override
            public void treeStructureChanged(javax.swing.event.TreeModelEvent e) {
                heard("structure", e);
            }
        });
        javax.swing.tree.DefaultMutableTreeNode b = node.apply("b");
        m.insertNodeInto(b, root, 0);
        m.insertNodeInto(node.apply("c"), a, 0);
        m.valueForPathChanged(new javax.swing.tree.TreePath(b.getPath()), "b2");
        a.insert(b, 1); // moved: removed from root first
        m.nodeStructureChanged(root);
        m.removeNodeFromParent(a);
        a.setAllowsChildren(false); // drops its children
        m.nodeChanged(root);
        m.reload();
        m.setAsksAllowsChildren(true);
        events.add(root.getChildCount() + " " + a.getChildCount() + " " + m.isLeaf(a) + " " + m.getIndexOfChild(root, a)
                + " " + java.util.Arrays.toString(m.getPathToRoot(root)) + " " + b.getParent());
        Object copy = ((javax.swing.tree.DefaultMutableTreeNode) a.clone()).getUserObject();
        m.setRoot(null);
        m.setRoot(a);
        events.add(copy + " " + m.getRoot() + " " + m.getChildCount(a));
        return events;
    }

    @Test
    public void anUnsharedTreeModelAndItsNodesAreTheJdks() {
        List<String> jdk = drive(javax.swing.tree.DefaultMutableTreeNode::new, javax.swing.tree.DefaultTreeModel::new);
        List<String> kiln = drive(dev.kiln.agent.jdk.KilnDefaultMutableTreeNode::new, dev.kiln.agent.jdk.KilnDefaultTreeModel::new);
        assertEquals(jdk, kiln);
        assertEquals(11, kiln.size());
        assertTrue(SharedValues.isValue(new javax.swing.tree.TreePath("x")));
    }
}
