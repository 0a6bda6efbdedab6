package dev.kiln.agent.jdk;

import dev.kiln.agent.rt.Runtime;
import dev.kiln.agent.rt.SharedValues;

import java.util.Vector;

import javax.swing.tree.MutableTreeNode;
import javax.swing.tree.TreeNode;

/**
 * A {@code javax.swing.tree.DefaultMutableTreeNode} the cluster can share: allocated instead of
 * it in instrumented classes (same constructors). Not shared: the JDK's behaviour after one field
 * test. Shared, it is a physical object whose state is the JDK class's fields ({@code parent},
 * {@code children}, {@code userObject}, {@code allowsChildren}; {@code children} a Kiln vector,
 * shared logically): the JDK methods that store them ({@code setParent}, {@code setUserObject},
 * {@code setAllowsChildren}, {@code insert} when it creates the vector) are followed by the
 * record of the field, in the thread's innermost cluster transaction, like a barriered
 * {@code PUTFIELD}: under the lock the program holds ({@code synchronized} on a shared object in
 * an autolocked method, or the tree model's named lock in {@link KilnDefaultTreeModel}), or
 * {@code UnlockedSharedObjectException} outside any. {@code add}, {@code remove},
 * {@code removeAllChildren}, {@code removeFromParent} all go through {@code insert}/{@code remove(int)}.
 */
public class KilnDefaultMutableTreeNode extends javax.swing.tree.DefaultMutableTreeNode implements SharedValues.Model {
    private static final long serialVersionUID = 1L;
    private static final String OWNER = "javax.swing.tree.DefaultMutableTreeNode";
    private transient long $kiln$oid;

    /** As the JDK's constructor. */
    public KilnDefaultMutableTreeNode() {
        super();
    }

    /** As the JDK's constructor. */
    public KilnDefaultMutableTreeNode(Object userObject) {
        super(userObject);
    }

    /** As the JDK's constructor. */
    public KilnDefaultMutableTreeNode(Object userObject, boolean allowsChildren) {
        super(userObject, allowsChildren);
    }

    @Override
    public long $kiln$oid() {
        return $kiln$oid;
    }

    @Override
    public void $kiln$oid(long oid) {
        $kiln$oid = oid;
    }

    /** Nothing of a node is transient. */
    @Override
    public void $kiln$loaded() {}

    @Override
    public void insert(MutableTreeNode newChild, int childIndex) {
        Vector<TreeNode> before = children;
        super.insert(newChild, childIndex);
        // Tested after the call: this node may have become shared during it (a shared child's
        // setParent(this) shares this node, before the JDK creates the children vector).
        if ($kiln$oid != 0 && children != before) {
            Runtime.afterPut(this, OWNER, "children"); // the JDK made the vector: shared as a Kiln copy
        }
    }

    @Override
    public void setParent(MutableTreeNode newParent) {
        super.setParent(newParent);
        if ($kiln$oid != 0) {
            Runtime.afterPut(this, OWNER, "parent");
        }
    }

    @Override
    public void setUserObject(Object userObject) {
        super.setUserObject(userObject);
        if ($kiln$oid != 0) {
            Runtime.afterPut(this, OWNER, "userObject");
        }
    }

    @Override
    public void setAllowsChildren(boolean allows) {
        boolean was = allowsChildren;
        super.setAllowsChildren(allows);
        if ($kiln$oid != 0 && was != allowsChildren) {
            Runtime.afterPut(this, OWNER, "allowsChildren");
        }
    }

    /** A copy is a new, non-shared node (the JDK's clone copies every field, the oid too). */
    @Override
    public Object clone() {
        KilnDefaultMutableTreeNode n = (KilnDefaultMutableTreeNode) super.clone();
        n.$kiln$oid = 0;
        return n;
    }
}
