package demo.jtable;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Point;
import java.awt.Shape;

/** One mark of the shared sketch (sharededitor's shape): a shape, its colour, stroke and anchor. */
public class Mark {
    Shape shape;
    Color color;
    BasicStroke stroke;
    Point anchor;
    String by;
    /** Not a portable type (see {@code Sketch.addFont}). */
    Object label;

    Mark(Shape shape, Color color, BasicStroke stroke, Point anchor, String by) {
        this.shape = shape;
        this.color = color;
        this.stroke = stroke;
        this.anchor = anchor;
        this.by = by;
    }
}
