package dev.kiln.agent.jdk;

import dev.kiln.agent.rt.Runtime;
import dev.kiln.agent.rt.SharedValues;
import dev.kiln.agent.rt.SwingModels;

import java.util.Vector;

import javax.swing.SwingUtilities;
import javax.swing.event.EventListenerList;
import javax.swing.event.TableModelEvent;

/**
 * A {@code javax.swing.table.DefaultTableModel} the cluster can share: allocated instead of it in
 * instrumented classes (same constructors). Not shared: the JDK's behaviour after one field
 * test. Shared (a physical object: {@code dataVector} and {@code columnIdentifiers}, its rows,
 * all Kiln vectors, shared logically; {@code listenerList} transient and re-created on load):
 * every mutator runs under the model's named cluster lock at write level and every getter at
 * read level ({@link SwingModels}), so a {@code setValueAt} from a Swing listener needs no
 * {@code synchronized}; every {@link TableModelEvent} it fires is also fired, after the change
 * commits, on the Swing event thread of every other JVM where the model is resident.
 */
@SuppressWarnings({"rawtypes", "unchecked"})
public class KilnDefaultTableModel extends javax.swing.table.DefaultTableModel implements SharedValues.Model {
    private static final long serialVersionUID = 1L;
    private static final String TYPE = "javax.swing.table.DefaultTableModel";
    private static final String OWNER = "javax.swing.table.DefaultTableModel";
    private transient long $kiln$oid;

    /** As the JDK's constructor. */
    public KilnDefaultTableModel() {
        super();
    }

    /** As the JDK's constructor. */
    public KilnDefaultTableModel(int rowCount, int columnCount) {
        super(rowCount, columnCount);
    }

    /** As the JDK's constructor. */
    public KilnDefaultTableModel(Vector columnNames, int rowCount) {
        super(columnNames, rowCount);
    }

    /** As the JDK's constructor. */
    public KilnDefaultTableModel(Object[] columnNames, int rowCount) {
        super(columnNames, rowCount);
    }

    /** As the JDK's constructor. */
    public KilnDefaultTableModel(Vector data, Vector columnNames) {
        super(data, columnNames);
    }

    /** As the JDK's constructor. */
    public KilnDefaultTableModel(Object[][] data, Object[] columnNames) {
        super(data, columnNames);
    }

    @Override
    public long $kiln$oid() {
        return $kiln$oid;
    }

    @Override
    public void $kiln$oid(long oid) {
        $kiln$oid = oid;
        if (oid != 0) {
            SwingModels.resident(KilnDefaultTableModel.class.getName(), "(IIII)V"); // hear the other JVMs' events from now on
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

    @Override
    public void fireTableChanged(TableModelEvent e) {
        super.fireTableChanged(e);
        if ($kiln$oid != 0) {
            SwingModels.fired(this, KilnDefaultTableModel.class.getName(), "(IIII)V",
                    e.getFirstRow(), e.getLastRow(), e.getColumn(), e.getType());
        }
    }

    /** The remote side of {@link #fireTableChanged}: the same event, fired here on the Swing event thread. */
    private void $kiln$fire(int firstRow, int lastRow, int column, int type) {
        TableModelEvent e = new TableModelEvent(this, firstRow, lastRow, column, type);
        SwingUtilities.invokeLater(() -> super.fireTableChanged(e));
    }

    // ------------------------------------------------------------------ mutators (write lock)

    @Override
    public void setDataVector(Vector dataVector, Vector columnIdentifiers) {
        if ($kiln$oid == 0) {
            super.setDataVector(dataVector, columnIdentifiers);
            return;
        }
        write();
        try {
            super.setDataVector(dataVector, columnIdentifiers);
            // The JDK's own PUTFIELDs are not barriered: record the new vectors (shared, as Kiln copies).
            Runtime.afterPut(this, OWNER, "dataVector");
            Runtime.afterPut(this, OWNER, "columnIdentifiers");
        } finally {
            done();
        }
    }

    @Override
    public void newDataAvailable(TableModelEvent event) {
        if (!write()) {
            super.newDataAvailable(event);
            return;
        }
        try {
            super.newDataAvailable(event);
        } finally {
            done();
        }
    }

    @Override
    public void newRowsAdded(TableModelEvent e) {
        if (!write()) {
            super.newRowsAdded(e);
            return;
        }
        try {
            super.newRowsAdded(e);
        } finally {
            done();
        }
    }

    @Override
    public void rowsRemoved(TableModelEvent event) {
        if (!write()) {
            super.rowsRemoved(event);
            return;
        }
        try {
            super.rowsRemoved(event);
        } finally {
            done();
        }
    }

    @Override
    public void setNumRows(int rowCount) {
        if (!write()) {
            super.setNumRows(rowCount);
            return;
        }
        try {
            super.setNumRows(rowCount);
        } finally {
            done();
        }
    }

    @Override
    public void setRowCount(int rowCount) {
        if (!write()) {
            super.setRowCount(rowCount);
            return;
        }
        try {
            super.setRowCount(rowCount);
        } finally {
            done();
        }
    }

    @Override
    public void addRow(Vector rowData) {
        if (!write()) {
            super.addRow(rowData);
            return;
        }
        try {
            super.addRow(rowData);
        } finally {
            done();
        }
    }

    @Override
    public void addRow(Object[] rowData) {
        if (!write()) {
            super.addRow(rowData);
            return;
        }
        try {
            super.addRow(rowData);
        } finally {
            done();
        }
    }

    @Override
    public void insertRow(int row, Vector rowData) {
        if (!write()) {
            super.insertRow(row, rowData);
            return;
        }
        try {
            super.insertRow(row, rowData);
        } finally {
            done();
        }
    }

    @Override
    public void insertRow(int row, Object[] rowData) {
        if (!write()) {
            super.insertRow(row, rowData);
            return;
        }
        try {
            super.insertRow(row, rowData);
        } finally {
            done();
        }
    }

    @Override
    public void moveRow(int start, int end, int to) {
        if (!write()) {
            super.moveRow(start, end, to);
            return;
        }
        try {
            super.moveRow(start, end, to);
        } finally {
            done();
        }
    }

    @Override
    public void removeRow(int row) {
        if (!write()) {
            super.removeRow(row);
            return;
        }
        try {
            super.removeRow(row);
        } finally {
            done();
        }
    }

    @Override
    public void setColumnIdentifiers(Vector columnIdentifiers) {
        if (!write()) {
            super.setColumnIdentifiers(columnIdentifiers);
            return;
        }
        try {
            super.setColumnIdentifiers(columnIdentifiers);
        } finally {
            done();
        }
    }

    @Override
    public void setColumnIdentifiers(Object[] newIdentifiers) {
        if (!write()) {
            super.setColumnIdentifiers(newIdentifiers);
            return;
        }
        try {
            super.setColumnIdentifiers(newIdentifiers);
        } finally {
            done();
        }
    }

    @Override
    public void setColumnCount(int columnCount) {
        if (!write()) {
            super.setColumnCount(columnCount);
            return;
        }
        try {
            super.setColumnCount(columnCount);
        } finally {
            done();
        }
    }

    @Override
    public void addColumn(Object columnName) {
        if (!write()) {
            super.addColumn(columnName);
            return;
        }
        try {
            super.addColumn(columnName);
        } finally {
            done();
        }
    }

    @Override
    public void addColumn(Object columnName, Vector columnData) {
        if (!write()) {
            super.addColumn(columnName, columnData);
            return;
        }
        try {
            super.addColumn(columnName, columnData);
        } finally {
            done();
        }
    }

    @Override
    public void addColumn(Object columnName, Object[] columnData) {
        if (!write()) {
            super.addColumn(columnName, columnData);
            return;
        }
        try {
            super.addColumn(columnName, columnData);
        } finally {
            done();
        }
    }

    @Override
    public void setValueAt(Object aValue, int row, int column) {
        if (!write()) {
            super.setValueAt(aValue, row, column);
            return;
        }
        try {
            super.setValueAt(aValue, row, column);
        } finally {
            done();
        }
    }

    // ------------------------------------------------------------------ getters (read lock)

    @Override
    public Vector<Vector> getDataVector() {
        if (!read()) {
            return super.getDataVector();
        }
        try {
            return super.getDataVector();
        } finally {
            done();
        }
    }

    @Override
    public int getRowCount() {
        if (!read()) {
            return super.getRowCount();
        }
        try {
            return super.getRowCount();
        } finally {
            done();
        }
    }

    @Override
    public int getColumnCount() {
        if (!read()) {
            return super.getColumnCount();
        }
        try {
            return super.getColumnCount();
        } finally {
            done();
        }
    }

    @Override
    public String getColumnName(int column) {
        if (!read()) {
            return super.getColumnName(column);
        }
        try {
            return super.getColumnName(column);
        } finally {
            done();
        }
    }

    @Override
    public Object getValueAt(int row, int column) {
        if (!read()) {
            return super.getValueAt(row, column);
        }
        try {
            return super.getValueAt(row, column);
        } finally {
            done();
        }
    }
}
