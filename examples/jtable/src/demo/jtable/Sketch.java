package demo.jtable;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Dimension;
import java.awt.Point;
import java.awt.Rectangle;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.GeneralPath;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.PathIterator;
import java.awt.geom.Point2D;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The shared sketch (Terracotta's sharededitor): a list of {@link Mark}s, the root
 * {@code demo.jtable.Sketch.marks}, plus a shared size and a shared list of plain awt values.
 * {@code draw} adds the sample marks; {@code marks} describes each and says whether it equals the
 * sample this JVM makes itself; {@code move I X Y} moves mark I's anchor ({@code p.x = X}).
 */
public class Sketch {
    static List<Mark> marks = new ArrayList<>();
    static List<Object> values = new ArrayList<>();

    /** The sample marks, the same in every JVM. */
    static List<Mark> sample(String by) {
        List<Mark> s = new ArrayList<>();
        float[] dash = {4f, 2f};
        BasicStroke dashed = new BasicStroke(2.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_BEVEL, 3f, dash, 1f);
        s.add(new Mark(new Rectangle(1, 2, 30, 40), Color.RED, new BasicStroke(), new Point(1, 1), by));
        s.add(new Mark(new Ellipse2D.Double(5.5, 6.5, 20, 10), new Color(10, 20, 30, 128), dashed, new Point(2, 3), by));
        s.add(new Mark(new Ellipse2D.Float(1f, 2f, 3f, 4f), new Color(0.25f, 0.5f, 0.75f), dashed, new Point(0, 0), by));
        s.add(new Mark(new Line2D.Double(0, 0, 100, 50.5), Color.BLUE, new BasicStroke(3f), new Point(5, 5), by));
        s.add(new Mark(new Line2D.Float(1f, 1f, 2f, 3f), Color.GREEN, new BasicStroke(1f), new Point(6, 6), by));
        s.add(new Mark(new Rectangle2D.Double(1.5, 2.5, 3.5, 4.5), Color.ORANGE, dashed, new Point(7, 7), by));
        s.add(new Mark(new Rectangle2D.Float(9f, 8f, 7f, 6f), Color.PINK, dashed, new Point(8, 8), by));
        s.add(new Mark(new RoundRectangle2D.Double(0, 0, 50, 20, 5, 5), Color.MAGENTA, dashed, new Point(9, 9), by));
        s.add(new Mark(new RoundRectangle2D.Float(1f, 2f, 50f, 20f, 4f, 4f), Color.CYAN, dashed, new Point(1, 9), by));
        GeneralPath tri = new GeneralPath();
        tri.moveTo(0f, 0f);
        tri.lineTo(10f, 0f);
        tri.quadTo(12f, 5f, 5f, 10f);
        tri.closePath();
        s.add(new Mark(tri, Color.BLACK, new BasicStroke(1.5f), new Point(2, 2), by));
        Path2D.Double curve = new Path2D.Double(Path2D.WIND_EVEN_ODD);
        curve.moveTo(1, 1);
        curve.curveTo(2, 3, 4, 5, 6, 7);
        s.add(new Mark(curve, Color.GRAY, new BasicStroke(2f), new Point(3, 3), by));
        return s;
    }

    static List<Object> sampleValues() {
        List<Object> v = new ArrayList<>();
        v.add(new Dimension(640, 480));
        v.add(new Point2D.Double(1.25, -2.5));
        v.add(new Point2D.Float(3f, 4f));
        v.add(new Rectangle(5, 6, 7, 8));
        return v;
    }

    static synchronized String draw(String by) {
        synchronized (marks) {
            marks.addAll(sample(by));
            values.addAll(sampleValues());
            return "drew " + marks.size() + " marks, " + values.size() + " values";
        }
    }

    /** A mark holding a java.awt.Font, which is not a portable type: refused, nothing of it shared. */
    static synchronized String addFont(String by) {
        synchronized (marks) {
            Mark m = new Mark(new Rectangle(0, 0, 1, 1), Color.RED, new BasicStroke(), new Point(0, 0), by);
            m.label = new java.awt.Font("Serif", java.awt.Font.PLAIN, 12);
            marks.add(m);
            return "added a font mark";
        }
    }

    /** In-place changes through the shapes' own methods (sharededitor drags and extends shapes). */
    static synchronized String reshape() {
        synchronized (marks) {
            ((Rectangle) marks.get(0).shape).translate(10, 20);
            ((Rectangle2D) marks.get(5).shape).setRect(0.5, 0.25, 2, 3);
            ((GeneralPath) marks.get(9).shape).lineTo(20f, 20f);
            marks.get(1).anchor.setLocation(7, 8);
            ((Point2D) values.get(1)).setLocation(9.5, 8.5);
            return "reshaped";
        }
    }

    static synchronized String move(int i, int x, int y) {
        synchronized (marks) {
            Point p = marks.get(i).anchor;
            p.x = x; // a PUTFIELD on java.awt.Point: barriered for a shared point
            p.y = y;
            return "moved mark " + i + " to " + x + "," + y;
        }
    }

    static synchronized List<String> marks() {
        synchronized (marks) {
            List<String> out = new ArrayList<>();
            List<Mark> mine = sample("?");
            for (int i = 0; i < marks.size(); i++) {
                Mark m = marks.get(i);
                Mark s = mine.get(i % mine.size());
                boolean same = describe(m.shape).equals(describe(s.shape)) && m.color.equals(s.color)
                        && m.stroke.equals(s.stroke) && (!(m.shape instanceof Rectangle2D || m.shape instanceof Ellipse2D
                                || m.shape instanceof RoundRectangle2D || m.shape instanceof Rectangle) || m.shape.equals(s.shape));
                out.add(i + " " + describe(m.shape) + " " + describe(m.color) + " " + describe(m.stroke) + " at "
                        + m.anchor.x + "," + m.anchor.y + " by " + m.by + (same ? " same" : " DIFFERENT"));
            }
            List<Object> vs = sampleValues();
            for (int i = 0; i < values.size(); i++) {
                Object v = values.get(i);
                out.add("value " + v + (v.equals(vs.get(i % vs.size())) ? " same" : " DIFFERENT"));
            }
            return out;
        }
    }

    static String describe(Object o) {
        if (o instanceof Color) {
            Color c = (Color) o;
            return String.format(Locale.ROOT, "color#%08x", c.getRGB());
        }
        if (o instanceof BasicStroke) {
            BasicStroke b = (BasicStroke) o;
            StringBuilder d = new StringBuilder();
            if (b.getDashArray() != null) {
                for (float f : b.getDashArray()) {
                    d.append(d.length() == 0 ? "" : ",").append(f);
                }
            }
            return "stroke(" + b.getLineWidth() + " cap " + b.getEndCap() + " join " + b.getLineJoin() + " miter "
                    + b.getMiterLimit() + " dash [" + d + "] phase " + b.getDashPhase() + ")";
        }
        Shape s = (Shape) o;
        StringBuilder b = new StringBuilder(s.getClass().getName().replace("java.awt.geom.", "").replace("java.awt.", ""));
        b.append('[');
        double[] c = new double[6];
        for (PathIterator it = s.getPathIterator(null); !it.isDone(); it.next()) {
            int t = it.currentSegment(c);
            int n = t == PathIterator.SEG_CLOSE ? 0 : t == PathIterator.SEG_QUADTO ? 4 : t == PathIterator.SEG_CUBICTO ? 6 : 2;
            b.append(" ").append(t);
            for (int k = 0; k < n; k++) {
                b.append(k == 0 ? ":" : ",").append(Math.round(c[k] * 100) / 100.0);
            }
        }
        return b.append(" ]").toString();
    }
}
