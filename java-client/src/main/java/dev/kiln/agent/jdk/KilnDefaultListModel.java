package dev.kiln.agent.jdk;

import dev.kiln.agent.rt.SharedValues;
import dev.kiln.agent.rt.SwingModels;

import java.util.Collection;

import javax.swing.SwingUtilities;
import javax.swing.event.EventListenerList;

/**
 * A {@code javax.swing.DefaultListModel} the cluster can share: allocated instead of it in
 * instrumented classes. Not shared: the JDK's behaviour after one field test. Shared (a physical
 * object whose private {@code delegate} vector is a Kiln vector, shared logically;
 * {@code listenerList} transient and re-created on load): every mutator runs under the model's
 * named cluster lock at write level and the getters a list view calls at read level
 * ({@link SwingModels}); every contents/interval event it fires is also fired, after the change
 * commits, on the Swing event thread of every other JVM where the model is resident.
 */
public class KilnDefaultListModel<E> extends javax.swing.DefaultListModel<E> implements SharedValues.Model {
    private static final long serialVersionUID = 1L;
    private static final String TYPE = "javax.swing.DefaultListModel";
    private transient long $kiln$oid;

    /** As the JDK's constructor. */
    public KilnDefaultListModel() {
        super();
    }

    @Override
    public long $kiln$oid() {
        return $kiln$oid;
    }

    @Override
    public void $kiln$oid(long oid) {
        $kiln$oid = oid;
        if (oid != 0) {
            SwingModels.resident(KilnDefaultListModel.class.getName(), "(III)V"); // hear the other JVMs' events from now on
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
    private static final int ADDED = 1;
    private static final int REMOVED = 2;

    @Override
    protected void fireContentsChanged(Object source, int index0, int index1) {
        super.fireContentsChanged(source, index0, index1);
        sent(CHANGED, index0, index1);
    }

    @Override
    protected void fireIntervalAdded(Object source, int index0, int index1) {
        super.fireIntervalAdded(source, index0, index1);
        sent(ADDED, index0, index1);
    }

    @Override
    protected void fireIntervalRemoved(Object source, int index0, int index1) {
        super.fireIntervalRemoved(source, index0, index1);
        sent(REMOVED, index0, index1);
    }

    private void sent(int type, int index0, int index1) {
        if ($kiln$oid != 0) {
            SwingModels.fired(this, KilnDefaultListModel.class.getName(), "(III)V", type, index0, index1);
        }
    }

    /** The remote side of the fire methods: the same event, fired here on the Swing event thread. */
    private void $kiln$fire(int type, int index0, int index1) {
        SwingUtilities.invokeLater(() -> {
            if (type == ADDED) {
                super.fireIntervalAdded(this, index0, index1);
            } else if (type == REMOVED) {
                super.fireIntervalRemoved(this, index0, index1);
            } else {
                super.fireContentsChanged(this, index0, index1);
            }
        });
    }

    // ------------------------------------------------------------------ mutators (write lock)

    @Override
    public void setSize(int newSize) {
        if (!write()) {
            super.setSize(newSize);
            return;
        }
        try {
            super.setSize(newSize);
        } finally {
            done();
        }
    }

    @Override
    public void setElementAt(E element, int index) {
        if (!write()) {
            super.setElementAt(element, index);
            return;
        }
        try {
            super.setElementAt(element, index);
        } finally {
            done();
        }
    }

    @Override
    public void removeElementAt(int index) {
        if (!write()) {
            super.removeElementAt(index);
            return;
        }
        try {
            super.removeElementAt(index);
        } finally {
            done();
        }
    }

    @Override
    public void insertElementAt(E element, int index) {
        if (!write()) {
            super.insertElementAt(element, index);
            return;
        }
        try {
            super.insertElementAt(element, index);
        } finally {
            done();
        }
    }

    @Override
    public void addElement(E element) {
        if (!write()) {
            super.addElement(element);
            return;
        }
        try {
            super.addElement(element);
        } finally {
            done();
        }
    }

    @Override
    public boolean removeElement(Object obj) {
        if (!write()) {
            return super.removeElement(obj);
        }
        try {
            return super.removeElement(obj);
        } finally {
            done();
        }
    }

    @Override
    public void removeAllElements() {
        if (!write()) {
            super.removeAllElements();
            return;
        }
        try {
            super.removeAllElements();
        } finally {
            done();
        }
    }

    @Override
    public E set(int index, E element) {
        if (!write()) {
            return super.set(index, element);
        }
        try {
            return super.set(index, element);
        } finally {
            done();
        }
    }

    @Override
    public void add(int index, E element) {
        if (!write()) {
            super.add(index, element);
            return;
        }
        try {
            super.add(index, element);
        } finally {
            done();
        }
    }

    @Override
    public E remove(int index) {
        if (!write()) {
            return super.remove(index);
        }
        try {
            return super.remove(index);
        } finally {
            done();
        }
    }

    @Override
    public void clear() {
        if (!write()) {
            super.clear();
            return;
        }
        try {
            super.clear();
        } finally {
            done();
        }
    }

    @Override
    public void removeRange(int fromIndex, int toIndex) {
        if (!write()) {
            super.removeRange(fromIndex, toIndex);
            return;
        }
        try {
            super.removeRange(fromIndex, toIndex);
        } finally {
            done();
        }
    }

    @Override
    public void addAll(Collection<? extends E> c) {
        if (!write()) {
            super.addAll(c);
            return;
        }
        try {
            super.addAll(c);
        } finally {
            done();
        }
    }

    @Override
    public void addAll(int index, Collection<? extends E> c) {
        if (!write()) {
            super.addAll(index, c);
            return;
        }
        try {
            super.addAll(index, c);
        } finally {
            done();
        }
    }

    // ------------------------------------------------------------------ getters (read lock)

    @Override
    public int getSize() {
        if (!read()) {
            return super.getSize();
        }
        try {
            return super.getSize();
        } finally {
            done();
        }
    }

    @Override
    public E getElementAt(int index) {
        if (!read()) {
            return super.getElementAt(index);
        }
        try {
            return super.getElementAt(index);
        } finally {
            done();
        }
    }

    @Override
    public int size() {
        if (!read()) {
            return super.size();
        }
        try {
            return super.size();
        } finally {
            done();
        }
    }

    @Override
    public boolean isEmpty() {
        if (!read()) {
            return super.isEmpty();
        }
        try {
            return super.isEmpty();
        } finally {
            done();
        }
    }

    @Override
    public boolean contains(Object elem) {
        if (!read()) {
            return super.contains(elem);
        }
        try {
            return super.contains(elem);
        } finally {
            done();
        }
    }

    @Override
    public int indexOf(Object elem) {
        if (!read()) {
            return super.indexOf(elem);
        }
        try {
            return super.indexOf(elem);
        } finally {
            done();
        }
    }

    @Override
    public E elementAt(int index) {
        if (!read()) {
            return super.elementAt(index);
        }
        try {
            return super.elementAt(index);
        } finally {
            done();
        }
    }

    @Override
    public E get(int index) {
        if (!read()) {
            return super.get(index);
        }
        try {
            return super.get(index);
        } finally {
            done();
        }
    }

    @Override
    public Object[] toArray() {
        if (!read()) {
            return super.toArray();
        }
        try {
            return super.toArray();
        } finally {
            done();
        }
    }

    @Override
    public String toString() {
        if (!read()) {
            return super.toString();
        }
        try {
            return super.toString();
        } finally {
            done();
        }
    }
}
