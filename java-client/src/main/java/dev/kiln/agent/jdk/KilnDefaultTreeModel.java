package dev.kiln.agent.jdk;

import dev.kiln.agent.rt.Runtime;
import dev.kiln.agent.rt.SharedValues;
import dev.kiln.agent.rt.SwingModels;

import java.util.Arrays;

import javax.swing.SwingUtilities;
import javax.swing.event.EventListenerList;
import javax.swing.tree.MutableTreeNode;
import javax.swing.tree.TreeNode;
import javax.swing.tree.TreePath;

/**
 * A {@code javax.swing.tree.DefaultTreeModel} the cluster can share: allocated instead of it in
 * instrumented classes (same constructors). Not shared: the JDK's behaviour after one field
 * test. Shared (a physical object: {@code root} and {@code asksAllowsChildren}; its nodes are
 * {@link KilnDefaultMutableTreeNode}s; {@code listenerList} transient and re-created on load):
 * every mutator ({@code insertNodeInto}, {@code removeNodeFromParent}, {@code nodeChanged},
 * {@code reload}, {@code setRoot}, {@code valueForPathChanged}...) runs under the model's named
 * cluster lock at write level and the getters a {@code JTree} calls at read level
 * ({@link SwingModels}), so the node edits they make are one cluster transaction; every tree
 * event it fires is also fired, after the change commits, on the Swing event thread of every
 * other JVM where the model is resident.
 */
public class KilnDefaultTreeModel extends javax.swing.tree.DefaultTreeModel implements SharedValues.Model {
    private static final long serialVersionUID = 1L;
    private static final String TYPE = "javax.swing.tree.DefaultTreeModel";
    private static final String OWNER = "javax.swing.tree.DefaultTreeModel";
    private static final String FIRE = "(I[Ljava/lang/Object;[I[Ljava/lang/Object;)V";
    private transient long $kiln$oid;

    /** As the JDK's constructor. */
    public KilnDefaultTreeModel(TreeNode root) {
        super(root);
    }

    /** As the JDK's constructor. */
    public KilnDefaultTreeModel(TreeNode root, boolean asksAllowsChildren) {
        super(root, asksAllowsChildren);
    }

    @Override
    public long $kiln$oid() {
        return $kiln$oid;
    }

    @Override
    public void $kiln$oid(long oid) {
        $kiln$oid = oid;
        if (oid != 0) {
            SwingModels.resident(KilnDefaultTreeModel.class.getName(), FIRE); // hear the other JVMs' events from now on
        }
    }

    /** On a JVM that materialised the model (no constructor ran there): its listener list. */
    @Override
    public void $kiln$loaded() {
        listenerList = new EventListenerList();
    }

    private boolean write() {
        return SwingModels.enter(this, TYPE, SwingModels.WRITE);
    }

    private boolean read() {
        return SwingModels.enter(this, TYPE, SwingModels.READ);
    }

    private void done() {
        SwingModels.exit(this);
    }

    // ------------------------------------------------------------------ events

    private static final int CHANGED = 0;
    private static final int INSERTED = 1;
    private static final int REMOVED = 2;
    private static final int STRUCTURE = 3;

    @Override
    protected void fireTreeNodesChanged(Object source, Object[] path, int[] childIndices, Object[] children) {
        super.fireTreeNodesChanged(source, path, childIndices, children);
        sent(CHANGED, path, childIndices, children);
    }

    @Override
    protected void fireTreeNodesInserted(Object source, Object[] path, int[] childIndices, Object[] children) {
        super.fireTreeNodesInserted(source, path, childIndices, children);
        sent(INSERTED, path, childIndices, children);
    }

    @Override
    protected void fireTreeNodesRemoved(Object source, Object[] path, int[] childIndices, Object[] children) {
        super.fireTreeNodesRemoved(source, path, childIndices, children);
        sent(REMOVED, path, childIndices, children);
    }

    @Override
    protected void fireTreeStructureChanged(Object source, Object[] path, int[] childIndices, Object[] children) {
        super.fireTreeStructureChanged(source, path, childIndices, children);
        sent(STRUCTURE, path, childIndices, children);
    }

    /** Distributes an event: its path and children (shared nodes) and indices go as shared arrays. */
    private void sent(int type, Object[] path, int[] childIndices, Object[] children) {
        if ($kiln$oid != 0) {
            SwingModels.fired(this, KilnDefaultTreeModel.class.getName(), FIRE, type,
                    path == null ? null : Arrays.copyOf(path, path.length, Object[].class),
                    childIndices == null ? null : childIndices.clone(),
                    children == null ? null : Arrays.copyOf(children, children.length, Object[].class));
        }
    }

    /** The remote side of the {@code fire*} methods: the same event, fired here on the Swing event thread. */
    private void $kiln$fire(int type, Object[] path, int[] childIndices, Object[] children) {
        SwingUtilities.invokeLater(() -> {
            switch (type) {
                case CHANGED:
                    super.fireTreeNodesChanged(this, path, childIndices, children);
                    break;
                case INSERTED:
                    super.fireTreeNodesInserted(this, path, childIndices, children);
                    break;
                case REMOVED:
                    super.fireTreeNodesRemoved(this, path, childIndices, children);
                    break;
                default:
                    super.fireTreeStructureChanged(this, path, childIndices, children);
            }
        });
    }

    // ------------------------------------------------------------------ mutators (write lock)

    @Override
    public void setRoot(TreeNode root) {
        if (!write()) {
            super.setRoot(root);
            return;
        }
        try {
            Object old = this.root;
            super.setRoot(root);
            // The JDK's own PUTFIELD is not barriered: record the new root (shared with its nodes).
            Runtime.afterPut(this, OWNER, "root");
            if (root == null && old != null) {
                sent(STRUCTURE, null, null, null); // the JDK fired it through a private method
            }
        } finally {
            done();
        }
    }

    @Override
    public void setAsksAllowsChildren(boolean newValue) {
        if (!write()) {
            super.setAsksAllowsChildren(newValue);
            return;
        }
        try {
            super.setAsksAllowsChildren(newValue);
            Runtime.afterPut(this, OWNER, "asksAllowsChildren");
        } finally {
            done();
        }
    }

    @Override
    public void reload() {
        if (!write()) {
            super.reload();
            return;
        }
        try {
            super.reload();
        } finally {
            done();
        }
    }

    @Override
    public void reload(TreeNode node) {
        if (!write()) {
            super.reload(node);
            return;
        }
        try {
            super.reload(node);
        } finally {
            done();
        }
    }

    @Override
    public void valueForPathChanged(TreePath path, Object newValue) {
        if (!write()) {
            super.valueForPathChanged(path, newValue);
            return;
        }
        try {
            super.valueForPathChanged(path, newValue);
        } finally {
            done();
        }
    }

    @Override
    public void insertNodeInto(MutableTreeNode newChild, MutableTreeNode parent, int index) {
        if (!write()) {
            super.insertNodeInto(newChild, parent, index);
            return;
        }
        try {
            super.insertNodeInto(newChild, parent, index);
        } finally {
            done();
        }
    }

    @Override
    public void removeNodeFromParent(MutableTreeNode node) {
        if (!write()) {
            super.removeNodeFromParent(node);
            return;
        }
        try {
            super.removeNodeFromParent(node);
        } finally {
            done();
        }
    }

    @Override
    public void nodeChanged(TreeNode node) {
        if (!write()) {
            super.nodeChanged(node);
            return;
        }
        try {
            super.nodeChanged(node);
        } finally {
            done();
        }
    }

    @Override
    public void nodesWereInserted(TreeNode node, int[] childIndices) {
        if (!write()) {
            super.nodesWereInserted(node, childIndices);
            return;
        }
        try {
            super.nodesWereInserted(node, childIndices);
        } finally {
            done();
        }
    }

    @Override
    public void nodesWereRemoved(TreeNode node, int[] childIndices, Object[] removedChildren) {
        if (!write()) {
            super.nodesWereRemoved(node, childIndices, removedChildren);
            return;
        }
        try {
            super.nodesWereRemoved(node, childIndices, removedChildren);
        } finally {
            done();
        }
    }

    @Override
    public void nodesChanged(TreeNode node, int[] childIndices) {
        if (!write()) {
            super.nodesChanged(node, childIndices);
            return;
        }
        try {
            super.nodesChanged(node, childIndices);
        } finally {
            done();
        }
    }

    @Override
    public void nodeStructureChanged(TreeNode node) {
        if (!write()) {
            super.nodeStructureChanged(node);
            return;
        }
        try {
            super.nodeStructureChanged(node);
        } finally {
            done();
        }
    }

    // ------------------------------------------------------------------ getters (read lock)

    @Override
    public Object getRoot() {
        if (!read()) {
            return super.getRoot();
        }
        try {
            return super.getRoot();
        } finally {
            done();
        }
    }

    @Override
    public int getIndexOfChild(Object parent, Object child) {
        if (!read()) {
            return super.getIndexOfChild(parent, child);
        }
        try {
            return super.getIndexOfChild(parent, child);
        } finally {
            done();
        }
    }

    @Override
    public Object getChild(Object parent, int index) {
        if (!read()) {
            return super.getChild(parent, index);
        }
        try {
            return super.getChild(parent, index);
        } finally {
            done();
        }
    }

    @Override
    public int getChildCount(Object parent) {
        if (!read()) {
            return super.getChildCount(parent);
        }
        try {
            return super.getChildCount(parent);
        } finally {
            done();
        }
    }

    @Override
    public boolean isLeaf(Object node) {
        if (!read()) {
            return super.isLeaf(node);
        }
        try {
            return super.isLeaf(node);
        } finally {
            done();
        }
    }

    @Override
    public TreeNode[] getPathToRoot(TreeNode aNode) {
        if (!read()) {
            return super.getPathToRoot(aNode);
        }
        try {
            return super.getPathToRoot(aNode);
        } finally {
            done();
        }
    }
}
