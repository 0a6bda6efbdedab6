package dev.kiln.codec;

import java.util.Arrays;

/** Test helpers: exact value comparison (same Java class, floats by raw bits, arrays by content). */
final class Values {
    private Values() {}

    static boolean same(Object a, Object b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a.getClass() != b.getClass()) {
            return false;
        }
        if (a instanceof Float) {
            return Float.floatToRawIntBits((Float) a) == Float.floatToRawIntBits((Float) b);
        }
        if (a instanceof Double) {
            return Double.doubleToRawLongBits((Double) a) == Double.doubleToRawLongBits((Double) b);
        }
        if (a instanceof byte[]) {
            return Arrays.equals((byte[]) a, (byte[]) b);
        }
        return a.equals(b);
    }

    static String show(Object v) {
        if (v == null) {
            return "null";
        }
        String s;
        if (v instanceof Float) {
            s = v + " bits " + Integer.toHexString(Float.floatToRawIntBits((Float) v));
        } else if (v instanceof Double) {
            s = v + " bits " + Long.toHexString(Double.doubleToRawLongBits((Double) v));
        } else if (v instanceof byte[]) {
            s = VectorsTest.hex((byte[]) v);
        } else {
            s = String.valueOf(v);
        }
        return v.getClass().getName() + "(" + s + ")";
    }
}
