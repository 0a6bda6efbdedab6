package dev.kiln.agent.rt;

import java.util.HashMap;
import java.util.Map;

/**
 * The in-place mutators of the awt value types ({@code Point.setLocation}, {@code
 * Rectangle2D.setRect}, {@code Path2D.lineTo}...): in instrumented classes a call
 * {@code INVOKEVIRTUAL owner.m(desc)} of one of them becomes {@code INVOKESTATIC} of the method
 * here with the receiver as first argument (same stack shape, no frame change:
 * {@code dev.kiln.agent.ValueCallRewriter}), which makes the call and then, for a shared value,
 * records its new state ({@link SharedValues#changed}). Generated from the public void
 * {@code set*}/{@code add}/{@code grow}/{@code translate}/{@code move}/{@code moveTo}/{@code lineTo}/
 * {@code quadTo}/{@code curveTo}/{@code closePath}/{@code append}/{@code reset}/{@code transform}/
 * {@code trimToSize} methods of each value class and its abstract supertypes (by reflection, JDK 17).
 */
@SuppressWarnings("deprecation")
public final class ValueCalls {
    private ValueCalls() {}

    private static final Map<String, String> TARGETS = targets();

    /** The method here standing for {@code owner.name desc} (internal owner name), or null. */
    public static String target(String owner, String name, String desc) {
        return owner.startsWith("java/awt/") ? TARGETS.get(owner + "." + name + desc) : null;
    }

    private static Map<String, String> targets() {
        Map<String, String> t = new HashMap<>();
        t.put("java/awt/Point.move(II)V", "Point_move_0");
        t.put("java/awt/Point.setLocation(DD)V", "Point_setLocation_1");
        t.put("java/awt/Point.setLocation(II)V", "Point_setLocation_2");
        t.put("java/awt/Point.setLocation(Ljava/awt/Point;)V", "Point_setLocation_3");
        t.put("java/awt/Point.setLocation(Ljava/awt/geom/Point2D;)V", "Point_setLocation_4");
        t.put("java/awt/Point.translate(II)V", "Point_translate_5");
        t.put("java/awt/Dimension.setSize(DD)V", "Dimension_setSize_6");
        t.put("java/awt/Dimension.setSize(II)V", "Dimension_setSize_7");
        t.put("java/awt/Dimension.setSize(Ljava/awt/Dimension;)V", "Dimension_setSize_8");
        t.put("java/awt/Dimension.setSize(Ljava/awt/geom/Dimension2D;)V", "Dimension_setSize_9");
        t.put("java/awt/Rectangle.add(DD)V", "Rectangle_add_10");
        t.put("java/awt/Rectangle.add(II)V", "Rectangle_add_11");
        t.put("java/awt/Rectangle.add(Ljava/awt/Point;)V", "Rectangle_add_12");
        t.put("java/awt/Rectangle.add(Ljava/awt/Rectangle;)V", "Rectangle_add_13");
        t.put("java/awt/Rectangle.add(Ljava/awt/geom/Point2D;)V", "Rectangle_add_14");
        t.put("java/awt/Rectangle.add(Ljava/awt/geom/Rectangle2D;)V", "Rectangle_add_15");
        t.put("java/awt/Rectangle.grow(II)V", "Rectangle_grow_16");
        t.put("java/awt/Rectangle.move(II)V", "Rectangle_move_17");
        t.put("java/awt/Rectangle.reshape(IIII)V", "Rectangle_reshape_18");
        t.put("java/awt/Rectangle.resize(II)V", "Rectangle_resize_19");
        t.put("java/awt/Rectangle.setBounds(IIII)V", "Rectangle_setBounds_20");
        t.put("java/awt/Rectangle.setBounds(Ljava/awt/Rectangle;)V", "Rectangle_setBounds_21");
        t.put("java/awt/Rectangle.setFrame(DDDD)V", "Rectangle_setFrame_22");
        t.put("java/awt/Rectangle.setFrame(Ljava/awt/geom/Point2D;Ljava/awt/geom/Dimension2D;)V", "Rectangle_setFrame_23");
        t.put("java/awt/Rectangle.setFrame(Ljava/awt/geom/Rectangle2D;)V", "Rectangle_setFrame_24");
        t.put("java/awt/Rectangle.setFrameFromCenter(DDDD)V", "Rectangle_setFrameFromCenter_25");
        t.put("java/awt/Rectangle.setFrameFromCenter(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V", "Rectangle_setFrameFromCenter_26");
        t.put("java/awt/Rectangle.setFrameFromDiagonal(DDDD)V", "Rectangle_setFrameFromDiagonal_27");
        t.put("java/awt/Rectangle.setFrameFromDiagonal(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V", "Rectangle_setFrameFromDiagonal_28");
        t.put("java/awt/Rectangle.setLocation(II)V", "Rectangle_setLocation_29");
        t.put("java/awt/Rectangle.setLocation(Ljava/awt/Point;)V", "Rectangle_setLocation_30");
        t.put("java/awt/Rectangle.setRect(DDDD)V", "Rectangle_setRect_31");
        t.put("java/awt/Rectangle.setRect(Ljava/awt/geom/Rectangle2D;)V", "Rectangle_setRect_32");
        t.put("java/awt/Rectangle.setSize(II)V", "Rectangle_setSize_33");
        t.put("java/awt/Rectangle.setSize(Ljava/awt/Dimension;)V", "Rectangle_setSize_34");
        t.put("java/awt/Rectangle.translate(II)V", "Rectangle_translate_35");
        t.put("java/awt/geom/Point2D.setLocation(DD)V", "Point2D_setLocation_36");
        t.put("java/awt/geom/Point2D.setLocation(Ljava/awt/geom/Point2D;)V", "Point2D_setLocation_37");
        t.put("java/awt/geom/Point2D$Double.setLocation(DD)V", "Point2D_Double_setLocation_38");
        t.put("java/awt/geom/Point2D$Double.setLocation(Ljava/awt/geom/Point2D;)V", "Point2D_Double_setLocation_39");
        t.put("java/awt/geom/Point2D$Float.setLocation(DD)V", "Point2D_Float_setLocation_40");
        t.put("java/awt/geom/Point2D$Float.setLocation(FF)V", "Point2D_Float_setLocation_41");
        t.put("java/awt/geom/Point2D$Float.setLocation(Ljava/awt/geom/Point2D;)V", "Point2D_Float_setLocation_42");
        t.put("java/awt/geom/Dimension2D.setSize(DD)V", "Dimension2D_setSize_43");
        t.put("java/awt/geom/Dimension2D.setSize(Ljava/awt/geom/Dimension2D;)V", "Dimension2D_setSize_44");
        t.put("java/awt/geom/Line2D.setLine(DDDD)V", "Line2D_setLine_45");
        t.put("java/awt/geom/Line2D.setLine(Ljava/awt/geom/Line2D;)V", "Line2D_setLine_46");
        t.put("java/awt/geom/Line2D.setLine(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V", "Line2D_setLine_47");
        t.put("java/awt/geom/Line2D$Double.setLine(DDDD)V", "Line2D_Double_setLine_48");
        t.put("java/awt/geom/Line2D$Double.setLine(Ljava/awt/geom/Line2D;)V", "Line2D_Double_setLine_49");
        t.put("java/awt/geom/Line2D$Double.setLine(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V", "Line2D_Double_setLine_50");
        t.put("java/awt/geom/Line2D$Float.setLine(DDDD)V", "Line2D_Float_setLine_51");
        t.put("java/awt/geom/Line2D$Float.setLine(FFFF)V", "Line2D_Float_setLine_52");
        t.put("java/awt/geom/Line2D$Float.setLine(Ljava/awt/geom/Line2D;)V", "Line2D_Float_setLine_53");
        t.put("java/awt/geom/Line2D$Float.setLine(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V", "Line2D_Float_setLine_54");
        t.put("java/awt/geom/RectangularShape.setFrame(DDDD)V", "RectangularShape_setFrame_55");
        t.put("java/awt/geom/RectangularShape.setFrame(Ljava/awt/geom/Point2D;Ljava/awt/geom/Dimension2D;)V", "RectangularShape_setFrame_56");
        t.put("java/awt/geom/RectangularShape.setFrame(Ljava/awt/geom/Rectangle2D;)V", "RectangularShape_setFrame_57");
        t.put("java/awt/geom/RectangularShape.setFrameFromCenter(DDDD)V", "RectangularShape_setFrameFromCenter_58");
        t.put("java/awt/geom/RectangularShape.setFrameFromCenter(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V", "RectangularShape_setFrameFromCenter_59");
        t.put("java/awt/geom/RectangularShape.setFrameFromDiagonal(DDDD)V", "RectangularShape_setFrameFromDiagonal_60");
        t.put("java/awt/geom/RectangularShape.setFrameFromDiagonal(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V", "RectangularShape_setFrameFromDiagonal_61");
        t.put("java/awt/geom/Rectangle2D.add(DD)V", "Rectangle2D_add_62");
        t.put("java/awt/geom/Rectangle2D.add(Ljava/awt/geom/Point2D;)V", "Rectangle2D_add_63");
        t.put("java/awt/geom/Rectangle2D.add(Ljava/awt/geom/Rectangle2D;)V", "Rectangle2D_add_64");
        t.put("java/awt/geom/Rectangle2D.setFrame(DDDD)V", "Rectangle2D_setFrame_65");
        t.put("java/awt/geom/Rectangle2D.setFrame(Ljava/awt/geom/Point2D;Ljava/awt/geom/Dimension2D;)V", "Rectangle2D_setFrame_66");
        t.put("java/awt/geom/Rectangle2D.setFrame(Ljava/awt/geom/Rectangle2D;)V", "Rectangle2D_setFrame_67");
        t.put("java/awt/geom/Rectangle2D.setFrameFromCenter(DDDD)V", "Rectangle2D_setFrameFromCenter_68");
        t.put("java/awt/geom/Rectangle2D.setFrameFromCenter(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V", "Rectangle2D_setFrameFromCenter_69");
        t.put("java/awt/geom/Rectangle2D.setFrameFromDiagonal(DDDD)V", "Rectangle2D_setFrameFromDiagonal_70");
        t.put("java/awt/geom/Rectangle2D.setFrameFromDiagonal(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V", "Rectangle2D_setFrameFromDiagonal_71");
        t.put("java/awt/geom/Rectangle2D.setRect(DDDD)V", "Rectangle2D_setRect_72");
        t.put("java/awt/geom/Rectangle2D.setRect(Ljava/awt/geom/Rectangle2D;)V", "Rectangle2D_setRect_73");
        t.put("java/awt/geom/Rectangle2D$Double.add(DD)V", "Rectangle2D_Double_add_74");
        t.put("java/awt/geom/Rectangle2D$Double.add(Ljava/awt/geom/Point2D;)V", "Rectangle2D_Double_add_75");
        t.put("java/awt/geom/Rectangle2D$Double.add(Ljava/awt/geom/Rectangle2D;)V", "Rectangle2D_Double_add_76");
        t.put("java/awt/geom/Rectangle2D$Double.setFrame(DDDD)V", "Rectangle2D_Double_setFrame_77");
        t.put("java/awt/geom/Rectangle2D$Double.setFrame(Ljava/awt/geom/Point2D;Ljava/awt/geom/Dimension2D;)V", "Rectangle2D_Double_setFrame_78");
        t.put("java/awt/geom/Rectangle2D$Double.setFrame(Ljava/awt/geom/Rectangle2D;)V", "Rectangle2D_Double_setFrame_79");
        t.put("java/awt/geom/Rectangle2D$Double.setFrameFromCenter(DDDD)V", "Rectangle2D_Double_setFrameFromCenter_80");
        t.put("java/awt/geom/Rectangle2D$Double.setFrameFromCenter(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V", "Rectangle2D_Double_setFrameFromCenter_81");
        t.put("java/awt/geom/Rectangle2D$Double.setFrameFromDiagonal(DDDD)V", "Rectangle2D_Double_setFrameFromDiagonal_82");
        t.put("java/awt/geom/Rectangle2D$Double.setFrameFromDiagonal(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V", "Rectangle2D_Double_setFrameFromDiagonal_83");
        t.put("java/awt/geom/Rectangle2D$Double.setRect(DDDD)V", "Rectangle2D_Double_setRect_84");
        t.put("java/awt/geom/Rectangle2D$Double.setRect(Ljava/awt/geom/Rectangle2D;)V", "Rectangle2D_Double_setRect_85");
        t.put("java/awt/geom/Rectangle2D$Float.add(DD)V", "Rectangle2D_Float_add_86");
        t.put("java/awt/geom/Rectangle2D$Float.add(Ljava/awt/geom/Point2D;)V", "Rectangle2D_Float_add_87");
        t.put("java/awt/geom/Rectangle2D$Float.add(Ljava/awt/geom/Rectangle2D;)V", "Rectangle2D_Float_add_88");
        t.put("java/awt/geom/Rectangle2D$Float.setFrame(DDDD)V", "Rectangle2D_Float_setFrame_89");
        t.put("java/awt/geom/Rectangle2D$Float.setFrame(Ljava/awt/geom/Point2D;Ljava/awt/geom/Dimension2D;)V", "Rectangle2D_Float_setFrame_90");
        t.put("java/awt/geom/Rectangle2D$Float.setFrame(Ljava/awt/geom/Rectangle2D;)V", "Rectangle2D_Float_setFrame_91");
        t.put("java/awt/geom/Rectangle2D$Float.setFrameFromCenter(DDDD)V", "Rectangle2D_Float_setFrameFromCenter_92");
        t.put("java/awt/geom/Rectangle2D$Float.setFrameFromCenter(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V", "Rectangle2D_Float_setFrameFromCenter_93");
        t.put("java/awt/geom/Rectangle2D$Float.setFrameFromDiagonal(DDDD)V", "Rectangle2D_Float_setFrameFromDiagonal_94");
        t.put("java/awt/geom/Rectangle2D$Float.setFrameFromDiagonal(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V", "Rectangle2D_Float_setFrameFromDiagonal_95");
        t.put("java/awt/geom/Rectangle2D$Float.setRect(DDDD)V", "Rectangle2D_Float_setRect_96");
        t.put("java/awt/geom/Rectangle2D$Float.setRect(FFFF)V", "Rectangle2D_Float_setRect_97");
        t.put("java/awt/geom/Rectangle2D$Float.setRect(Ljava/awt/geom/Rectangle2D;)V", "Rectangle2D_Float_setRect_98");
        t.put("java/awt/geom/RoundRectangle2D.setFrame(DDDD)V", "RoundRectangle2D_setFrame_99");
        t.put("java/awt/geom/RoundRectangle2D.setFrame(Ljava/awt/geom/Point2D;Ljava/awt/geom/Dimension2D;)V", "RoundRectangle2D_setFrame_100");
        t.put("java/awt/geom/RoundRectangle2D.setFrame(Ljava/awt/geom/Rectangle2D;)V", "RoundRectangle2D_setFrame_101");
        t.put("java/awt/geom/RoundRectangle2D.setFrameFromCenter(DDDD)V", "RoundRectangle2D_setFrameFromCenter_102");
        t.put("java/awt/geom/RoundRectangle2D.setFrameFromCenter(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V", "RoundRectangle2D_setFrameFromCenter_103");
        t.put("java/awt/geom/RoundRectangle2D.setFrameFromDiagonal(DDDD)V", "RoundRectangle2D_setFrameFromDiagonal_104");
        t.put("java/awt/geom/RoundRectangle2D.setFrameFromDiagonal(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V", "RoundRectangle2D_setFrameFromDiagonal_105");
        t.put("java/awt/geom/RoundRectangle2D.setRoundRect(DDDDDD)V", "RoundRectangle2D_setRoundRect_106");
        t.put("java/awt/geom/RoundRectangle2D.setRoundRect(Ljava/awt/geom/RoundRectangle2D;)V", "RoundRectangle2D_setRoundRect_107");
        t.put("java/awt/geom/RoundRectangle2D$Double.setFrame(DDDD)V", "RoundRectangle2D_Double_setFrame_108");
        t.put("java/awt/geom/RoundRectangle2D$Double.setFrame(Ljava/awt/geom/Point2D;Ljava/awt/geom/Dimension2D;)V", "RoundRectangle2D_Double_setFrame_109");
        t.put("java/awt/geom/RoundRectangle2D$Double.setFrame(Ljava/awt/geom/Rectangle2D;)V", "RoundRectangle2D_Double_setFrame_110");
        t.put("java/awt/geom/RoundRectangle2D$Double.setFrameFromCenter(DDDD)V", "RoundRectangle2D_Double_setFrameFromCenter_111");
        t.put("java/awt/geom/RoundRectangle2D$Double.setFrameFromCenter(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V", "RoundRectangle2D_Double_setFrameFromCenter_112");
        t.put("java/awt/geom/RoundRectangle2D$Double.setFrameFromDiagonal(DDDD)V", "RoundRectangle2D_Double_setFrameFromDiagonal_113");
        t.put("java/awt/geom/RoundRectangle2D$Double.setFrameFromDiagonal(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V", "RoundRectangle2D_Double_setFrameFromDiagonal_114");
        t.put("java/awt/geom/RoundRectangle2D$Double.setRoundRect(DDDDDD)V", "RoundRectangle2D_Double_setRoundRect_115");
        t.put("java/awt/geom/RoundRectangle2D$Double.setRoundRect(Ljava/awt/geom/RoundRectangle2D;)V", "RoundRectangle2D_Double_setRoundRect_116");
        t.put("java/awt/geom/RoundRectangle2D$Float.setFrame(DDDD)V", "RoundRectangle2D_Float_setFrame_117");
        t.put("java/awt/geom/RoundRectangle2D$Float.setFrame(Ljava/awt/geom/Point2D;Ljava/awt/geom/Dimension2D;)V", "RoundRectangle2D_Float_setFrame_118");
        t.put("java/awt/geom/RoundRectangle2D$Float.setFrame(Ljava/awt/geom/Rectangle2D;)V", "RoundRectangle2D_Float_setFrame_119");
        t.put("java/awt/geom/RoundRectangle2D$Float.setFrameFromCenter(DDDD)V", "RoundRectangle2D_Float_setFrameFromCenter_120");
        t.put("java/awt/geom/RoundRectangle2D$Float.setFrameFromCenter(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V", "RoundRectangle2D_Float_setFrameFromCenter_121");
        t.put("java/awt/geom/RoundRectangle2D$Float.setFrameFromDiagonal(DDDD)V", "RoundRectangle2D_Float_setFrameFromDiagonal_122");
        t.put("java/awt/geom/RoundRectangle2D$Float.setFrameFromDiagonal(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V", "RoundRectangle2D_Float_setFrameFromDiagonal_123");
        t.put("java/awt/geom/RoundRectangle2D$Float.setRoundRect(DDDDDD)V", "RoundRectangle2D_Float_setRoundRect_124");
        t.put("java/awt/geom/RoundRectangle2D$Float.setRoundRect(FFFFFF)V", "RoundRectangle2D_Float_setRoundRect_125");
        t.put("java/awt/geom/RoundRectangle2D$Float.setRoundRect(Ljava/awt/geom/RoundRectangle2D;)V", "RoundRectangle2D_Float_setRoundRect_126");
        t.put("java/awt/geom/Ellipse2D.setFrame(DDDD)V", "Ellipse2D_setFrame_127");
        t.put("java/awt/geom/Ellipse2D.setFrame(Ljava/awt/geom/Point2D;Ljava/awt/geom/Dimension2D;)V", "Ellipse2D_setFrame_128");
        t.put("java/awt/geom/Ellipse2D.setFrame(Ljava/awt/geom/Rectangle2D;)V", "Ellipse2D_setFrame_129");
        t.put("java/awt/geom/Ellipse2D.setFrameFromCenter(DDDD)V", "Ellipse2D_setFrameFromCenter_130");
        t.put("java/awt/geom/Ellipse2D.setFrameFromCenter(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V", "Ellipse2D_setFrameFromCenter_131");
        t.put("java/awt/geom/Ellipse2D.setFrameFromDiagonal(DDDD)V", "Ellipse2D_setFrameFromDiagonal_132");
        t.put("java/awt/geom/Ellipse2D.setFrameFromDiagonal(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V", "Ellipse2D_setFrameFromDiagonal_133");
        t.put("java/awt/geom/Ellipse2D$Double.setFrame(DDDD)V", "Ellipse2D_Double_setFrame_134");
        t.put("java/awt/geom/Ellipse2D$Double.setFrame(Ljava/awt/geom/Point2D;Ljava/awt/geom/Dimension2D;)V", "Ellipse2D_Double_setFrame_135");
        t.put("java/awt/geom/Ellipse2D$Double.setFrame(Ljava/awt/geom/Rectangle2D;)V", "Ellipse2D_Double_setFrame_136");
        t.put("java/awt/geom/Ellipse2D$Double.setFrameFromCenter(DDDD)V", "Ellipse2D_Double_setFrameFromCenter_137");
        t.put("java/awt/geom/Ellipse2D$Double.setFrameFromCenter(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V", "Ellipse2D_Double_setFrameFromCenter_138");
        t.put("java/awt/geom/Ellipse2D$Double.setFrameFromDiagonal(DDDD)V", "Ellipse2D_Double_setFrameFromDiagonal_139");
        t.put("java/awt/geom/Ellipse2D$Double.setFrameFromDiagonal(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V", "Ellipse2D_Double_setFrameFromDiagonal_140");
        t.put("java/awt/geom/Ellipse2D$Float.setFrame(DDDD)V", "Ellipse2D_Float_setFrame_141");
        t.put("java/awt/geom/Ellipse2D$Float.setFrame(FFFF)V", "Ellipse2D_Float_setFrame_142");
        t.put("java/awt/geom/Ellipse2D$Float.setFrame(Ljava/awt/geom/Point2D;Ljava/awt/geom/Dimension2D;)V", "Ellipse2D_Float_setFrame_143");
        t.put("java/awt/geom/Ellipse2D$Float.setFrame(Ljava/awt/geom/Rectangle2D;)V", "Ellipse2D_Float_setFrame_144");
        t.put("java/awt/geom/Ellipse2D$Float.setFrameFromCenter(DDDD)V", "Ellipse2D_Float_setFrameFromCenter_145");
        t.put("java/awt/geom/Ellipse2D$Float.setFrameFromCenter(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V", "Ellipse2D_Float_setFrameFromCenter_146");
        t.put("java/awt/geom/Ellipse2D$Float.setFrameFromDiagonal(DDDD)V", "Ellipse2D_Float_setFrameFromDiagonal_147");
        t.put("java/awt/geom/Ellipse2D$Float.setFrameFromDiagonal(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V", "Ellipse2D_Float_setFrameFromDiagonal_148");
        t.put("java/awt/geom/Path2D.append(Ljava/awt/Shape;Z)V", "Path2D_append_149");
        t.put("java/awt/geom/Path2D.append(Ljava/awt/geom/PathIterator;Z)V", "Path2D_append_150");
        t.put("java/awt/geom/Path2D.closePath()V", "Path2D_closePath_151");
        t.put("java/awt/geom/Path2D.curveTo(DDDDDD)V", "Path2D_curveTo_152");
        t.put("java/awt/geom/Path2D.lineTo(DD)V", "Path2D_lineTo_153");
        t.put("java/awt/geom/Path2D.moveTo(DD)V", "Path2D_moveTo_154");
        t.put("java/awt/geom/Path2D.quadTo(DDDD)V", "Path2D_quadTo_155");
        t.put("java/awt/geom/Path2D.reset()V", "Path2D_reset_156");
        t.put("java/awt/geom/Path2D.setWindingRule(I)V", "Path2D_setWindingRule_157");
        t.put("java/awt/geom/Path2D.transform(Ljava/awt/geom/AffineTransform;)V", "Path2D_transform_158");
        t.put("java/awt/geom/Path2D.trimToSize()V", "Path2D_trimToSize_159");
        t.put("java/awt/geom/Path2D$Double.append(Ljava/awt/Shape;Z)V", "Path2D_Double_append_160");
        t.put("java/awt/geom/Path2D$Double.append(Ljava/awt/geom/PathIterator;Z)V", "Path2D_Double_append_161");
        t.put("java/awt/geom/Path2D$Double.closePath()V", "Path2D_Double_closePath_162");
        t.put("java/awt/geom/Path2D$Double.curveTo(DDDDDD)V", "Path2D_Double_curveTo_163");
        t.put("java/awt/geom/Path2D$Double.lineTo(DD)V", "Path2D_Double_lineTo_164");
        t.put("java/awt/geom/Path2D$Double.moveTo(DD)V", "Path2D_Double_moveTo_165");
        t.put("java/awt/geom/Path2D$Double.quadTo(DDDD)V", "Path2D_Double_quadTo_166");
        t.put("java/awt/geom/Path2D$Double.reset()V", "Path2D_Double_reset_167");
        t.put("java/awt/geom/Path2D$Double.setWindingRule(I)V", "Path2D_Double_setWindingRule_168");
        t.put("java/awt/geom/Path2D$Double.transform(Ljava/awt/geom/AffineTransform;)V", "Path2D_Double_transform_169");
        t.put("java/awt/geom/Path2D$Double.trimToSize()V", "Path2D_Double_trimToSize_170");
        t.put("java/awt/geom/Path2D$Float.append(Ljava/awt/Shape;Z)V", "Path2D_Float_append_171");
        t.put("java/awt/geom/Path2D$Float.append(Ljava/awt/geom/PathIterator;Z)V", "Path2D_Float_append_172");
        t.put("java/awt/geom/Path2D$Float.closePath()V", "Path2D_Float_closePath_173");
        t.put("java/awt/geom/Path2D$Float.curveTo(DDDDDD)V", "Path2D_Float_curveTo_174");
        t.put("java/awt/geom/Path2D$Float.curveTo(FFFFFF)V", "Path2D_Float_curveTo_175");
        t.put("java/awt/geom/Path2D$Float.lineTo(DD)V", "Path2D_Float_lineTo_176");
        t.put("java/awt/geom/Path2D$Float.lineTo(FF)V", "Path2D_Float_lineTo_177");
        t.put("java/awt/geom/Path2D$Float.moveTo(DD)V", "Path2D_Float_moveTo_178");
        t.put("java/awt/geom/Path2D$Float.moveTo(FF)V", "Path2D_Float_moveTo_179");
        t.put("java/awt/geom/Path2D$Float.quadTo(DDDD)V", "Path2D_Float_quadTo_180");
        t.put("java/awt/geom/Path2D$Float.quadTo(FFFF)V", "Path2D_Float_quadTo_181");
        t.put("java/awt/geom/Path2D$Float.reset()V", "Path2D_Float_reset_182");
        t.put("java/awt/geom/Path2D$Float.setWindingRule(I)V", "Path2D_Float_setWindingRule_183");
        t.put("java/awt/geom/Path2D$Float.transform(Ljava/awt/geom/AffineTransform;)V", "Path2D_Float_transform_184");
        t.put("java/awt/geom/Path2D$Float.trimToSize()V", "Path2D_Float_trimToSize_185");
        t.put("java/awt/geom/GeneralPath.append(Ljava/awt/Shape;Z)V", "GeneralPath_append_186");
        t.put("java/awt/geom/GeneralPath.append(Ljava/awt/geom/PathIterator;Z)V", "GeneralPath_append_187");
        t.put("java/awt/geom/GeneralPath.closePath()V", "GeneralPath_closePath_188");
        t.put("java/awt/geom/GeneralPath.curveTo(DDDDDD)V", "GeneralPath_curveTo_189");
        t.put("java/awt/geom/GeneralPath.curveTo(FFFFFF)V", "GeneralPath_curveTo_190");
        t.put("java/awt/geom/GeneralPath.lineTo(DD)V", "GeneralPath_lineTo_191");
        t.put("java/awt/geom/GeneralPath.lineTo(FF)V", "GeneralPath_lineTo_192");
        t.put("java/awt/geom/GeneralPath.moveTo(DD)V", "GeneralPath_moveTo_193");
        t.put("java/awt/geom/GeneralPath.moveTo(FF)V", "GeneralPath_moveTo_194");
        t.put("java/awt/geom/GeneralPath.quadTo(DDDD)V", "GeneralPath_quadTo_195");
        t.put("java/awt/geom/GeneralPath.quadTo(FFFF)V", "GeneralPath_quadTo_196");
        t.put("java/awt/geom/GeneralPath.reset()V", "GeneralPath_reset_197");
        t.put("java/awt/geom/GeneralPath.setWindingRule(I)V", "GeneralPath_setWindingRule_198");
        t.put("java/awt/geom/GeneralPath.transform(Ljava/awt/geom/AffineTransform;)V", "GeneralPath_transform_199");
        t.put("java/awt/geom/GeneralPath.trimToSize()V", "GeneralPath_trimToSize_200");
        return t;
    }

    /** java.awt.Point.move(II)V. */
    public static void Point_move_0(java.awt.Point r, int a0, int a1) {
        r.move(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.Point.setLocation(DD)V. */
    public static void Point_setLocation_1(java.awt.Point r, double a0, double a1) {
        r.setLocation(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.Point.setLocation(II)V. */
    public static void Point_setLocation_2(java.awt.Point r, int a0, int a1) {
        r.setLocation(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.Point.setLocation(Ljava/awt/Point;)V. */
    public static void Point_setLocation_3(java.awt.Point r, java.awt.Point a0) {
        r.setLocation(a0);
        SharedValues.changed(r);
    }

    /** java.awt.Point.setLocation(Ljava/awt/geom/Point2D;)V. */
    public static void Point_setLocation_4(java.awt.Point r, java.awt.geom.Point2D a0) {
        r.setLocation(a0);
        SharedValues.changed(r);
    }

    /** java.awt.Point.translate(II)V. */
    public static void Point_translate_5(java.awt.Point r, int a0, int a1) {
        r.translate(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.Dimension.setSize(DD)V. */
    public static void Dimension_setSize_6(java.awt.Dimension r, double a0, double a1) {
        r.setSize(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.Dimension.setSize(II)V. */
    public static void Dimension_setSize_7(java.awt.Dimension r, int a0, int a1) {
        r.setSize(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.Dimension.setSize(Ljava/awt/Dimension;)V. */
    public static void Dimension_setSize_8(java.awt.Dimension r, java.awt.Dimension a0) {
        r.setSize(a0);
        SharedValues.changed(r);
    }

    /** java.awt.Dimension.setSize(Ljava/awt/geom/Dimension2D;)V. */
    public static void Dimension_setSize_9(java.awt.Dimension r, java.awt.geom.Dimension2D a0) {
        r.setSize(a0);
        SharedValues.changed(r);
    }

    /** java.awt.Rectangle.add(DD)V. */
    public static void Rectangle_add_10(java.awt.Rectangle r, double a0, double a1) {
        r.add(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.Rectangle.add(II)V. */
    public static void Rectangle_add_11(java.awt.Rectangle r, int a0, int a1) {
        r.add(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.Rectangle.add(Ljava/awt/Point;)V. */
    public static void Rectangle_add_12(java.awt.Rectangle r, java.awt.Point a0) {
        r.add(a0);
        SharedValues.changed(r);
    }

    /** java.awt.Rectangle.add(Ljava/awt/Rectangle;)V. */
    public static void Rectangle_add_13(java.awt.Rectangle r, java.awt.Rectangle a0) {
        r.add(a0);
        SharedValues.changed(r);
    }

    /** java.awt.Rectangle.add(Ljava/awt/geom/Point2D;)V. */
    public static void Rectangle_add_14(java.awt.Rectangle r, java.awt.geom.Point2D a0) {
        r.add(a0);
        SharedValues.changed(r);
    }

    /** java.awt.Rectangle.add(Ljava/awt/geom/Rectangle2D;)V. */
    public static void Rectangle_add_15(java.awt.Rectangle r, java.awt.geom.Rectangle2D a0) {
        r.add(a0);
        SharedValues.changed(r);
    }

    /** java.awt.Rectangle.grow(II)V. */
    public static void Rectangle_grow_16(java.awt.Rectangle r, int a0, int a1) {
        r.grow(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.Rectangle.move(II)V. */
    public static void Rectangle_move_17(java.awt.Rectangle r, int a0, int a1) {
        r.move(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.Rectangle.reshape(IIII)V. */
    public static void Rectangle_reshape_18(java.awt.Rectangle r, int a0, int a1, int a2, int a3) {
        r.reshape(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.Rectangle.resize(II)V. */
    public static void Rectangle_resize_19(java.awt.Rectangle r, int a0, int a1) {
        r.resize(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.Rectangle.setBounds(IIII)V. */
    public static void Rectangle_setBounds_20(java.awt.Rectangle r, int a0, int a1, int a2, int a3) {
        r.setBounds(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.Rectangle.setBounds(Ljava/awt/Rectangle;)V. */
    public static void Rectangle_setBounds_21(java.awt.Rectangle r, java.awt.Rectangle a0) {
        r.setBounds(a0);
        SharedValues.changed(r);
    }

    /** java.awt.Rectangle.setFrame(DDDD)V. */
    public static void Rectangle_setFrame_22(java.awt.Rectangle r, double a0, double a1, double a2, double a3) {
        r.setFrame(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.Rectangle.setFrame(Ljava/awt/geom/Point2D;Ljava/awt/geom/Dimension2D;)V. */
    public static void Rectangle_setFrame_23(java.awt.Rectangle r, java.awt.geom.Point2D a0, java.awt.geom.Dimension2D a1) {
        r.setFrame(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.Rectangle.setFrame(Ljava/awt/geom/Rectangle2D;)V. */
    public static void Rectangle_setFrame_24(java.awt.Rectangle r, java.awt.geom.Rectangle2D a0) {
        r.setFrame(a0);
        SharedValues.changed(r);
    }

    /** java.awt.Rectangle.setFrameFromCenter(DDDD)V. */
    public static void Rectangle_setFrameFromCenter_25(java.awt.Rectangle r, double a0, double a1, double a2, double a3) {
        r.setFrameFromCenter(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.Rectangle.setFrameFromCenter(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V. */
    public static void Rectangle_setFrameFromCenter_26(java.awt.Rectangle r, java.awt.geom.Point2D a0, java.awt.geom.Point2D a1) {
        r.setFrameFromCenter(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.Rectangle.setFrameFromDiagonal(DDDD)V. */
    public static void Rectangle_setFrameFromDiagonal_27(java.awt.Rectangle r, double a0, double a1, double a2, double a3) {
        r.setFrameFromDiagonal(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.Rectangle.setFrameFromDiagonal(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V. */
    public static void Rectangle_setFrameFromDiagonal_28(java.awt.Rectangle r, java.awt.geom.Point2D a0, java.awt.geom.Point2D a1) {
        r.setFrameFromDiagonal(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.Rectangle.setLocation(II)V. */
    public static void Rectangle_setLocation_29(java.awt.Rectangle r, int a0, int a1) {
        r.setLocation(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.Rectangle.setLocation(Ljava/awt/Point;)V. */
    public static void Rectangle_setLocation_30(java.awt.Rectangle r, java.awt.Point a0) {
        r.setLocation(a0);
        SharedValues.changed(r);
    }

    /** java.awt.Rectangle.setRect(DDDD)V. */
    public static void Rectangle_setRect_31(java.awt.Rectangle r, double a0, double a1, double a2, double a3) {
        r.setRect(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.Rectangle.setRect(Ljava/awt/geom/Rectangle2D;)V. */
    public static void Rectangle_setRect_32(java.awt.Rectangle r, java.awt.geom.Rectangle2D a0) {
        r.setRect(a0);
        SharedValues.changed(r);
    }

    /** java.awt.Rectangle.setSize(II)V. */
    public static void Rectangle_setSize_33(java.awt.Rectangle r, int a0, int a1) {
        r.setSize(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.Rectangle.setSize(Ljava/awt/Dimension;)V. */
    public static void Rectangle_setSize_34(java.awt.Rectangle r, java.awt.Dimension a0) {
        r.setSize(a0);
        SharedValues.changed(r);
    }

    /** java.awt.Rectangle.translate(II)V. */
    public static void Rectangle_translate_35(java.awt.Rectangle r, int a0, int a1) {
        r.translate(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Point2D.setLocation(DD)V. */
    public static void Point2D_setLocation_36(java.awt.geom.Point2D r, double a0, double a1) {
        r.setLocation(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Point2D.setLocation(Ljava/awt/geom/Point2D;)V. */
    public static void Point2D_setLocation_37(java.awt.geom.Point2D r, java.awt.geom.Point2D a0) {
        r.setLocation(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Point2D$Double.setLocation(DD)V. */
    public static void Point2D_Double_setLocation_38(java.awt.geom.Point2D.Double r, double a0, double a1) {
        r.setLocation(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Point2D$Double.setLocation(Ljava/awt/geom/Point2D;)V. */
    public static void Point2D_Double_setLocation_39(java.awt.geom.Point2D.Double r, java.awt.geom.Point2D a0) {
        r.setLocation(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Point2D$Float.setLocation(DD)V. */
    public static void Point2D_Float_setLocation_40(java.awt.geom.Point2D.Float r, double a0, double a1) {
        r.setLocation(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Point2D$Float.setLocation(FF)V. */
    public static void Point2D_Float_setLocation_41(java.awt.geom.Point2D.Float r, float a0, float a1) {
        r.setLocation(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Point2D$Float.setLocation(Ljava/awt/geom/Point2D;)V. */
    public static void Point2D_Float_setLocation_42(java.awt.geom.Point2D.Float r, java.awt.geom.Point2D a0) {
        r.setLocation(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Dimension2D.setSize(DD)V. */
    public static void Dimension2D_setSize_43(java.awt.geom.Dimension2D r, double a0, double a1) {
        r.setSize(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Dimension2D.setSize(Ljava/awt/geom/Dimension2D;)V. */
    public static void Dimension2D_setSize_44(java.awt.geom.Dimension2D r, java.awt.geom.Dimension2D a0) {
        r.setSize(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Line2D.setLine(DDDD)V. */
    public static void Line2D_setLine_45(java.awt.geom.Line2D r, double a0, double a1, double a2, double a3) {
        r.setLine(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Line2D.setLine(Ljava/awt/geom/Line2D;)V. */
    public static void Line2D_setLine_46(java.awt.geom.Line2D r, java.awt.geom.Line2D a0) {
        r.setLine(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Line2D.setLine(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V. */
    public static void Line2D_setLine_47(java.awt.geom.Line2D r, java.awt.geom.Point2D a0, java.awt.geom.Point2D a1) {
        r.setLine(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Line2D$Double.setLine(DDDD)V. */
    public static void Line2D_Double_setLine_48(java.awt.geom.Line2D.Double r, double a0, double a1, double a2, double a3) {
        r.setLine(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Line2D$Double.setLine(Ljava/awt/geom/Line2D;)V. */
    public static void Line2D_Double_setLine_49(java.awt.geom.Line2D.Double r, java.awt.geom.Line2D a0) {
        r.setLine(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Line2D$Double.setLine(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V. */
    public static void Line2D_Double_setLine_50(java.awt.geom.Line2D.Double r, java.awt.geom.Point2D a0, java.awt.geom.Point2D a1) {
        r.setLine(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Line2D$Float.setLine(DDDD)V. */
    public static void Line2D_Float_setLine_51(java.awt.geom.Line2D.Float r, double a0, double a1, double a2, double a3) {
        r.setLine(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Line2D$Float.setLine(FFFF)V. */
    public static void Line2D_Float_setLine_52(java.awt.geom.Line2D.Float r, float a0, float a1, float a2, float a3) {
        r.setLine(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Line2D$Float.setLine(Ljava/awt/geom/Line2D;)V. */
    public static void Line2D_Float_setLine_53(java.awt.geom.Line2D.Float r, java.awt.geom.Line2D a0) {
        r.setLine(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Line2D$Float.setLine(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V. */
    public static void Line2D_Float_setLine_54(java.awt.geom.Line2D.Float r, java.awt.geom.Point2D a0, java.awt.geom.Point2D a1) {
        r.setLine(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RectangularShape.setFrame(DDDD)V. */
    public static void RectangularShape_setFrame_55(java.awt.geom.RectangularShape r, double a0, double a1, double a2, double a3) {
        r.setFrame(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RectangularShape.setFrame(Ljava/awt/geom/Point2D;Ljava/awt/geom/Dimension2D;)V. */
    public static void RectangularShape_setFrame_56(java.awt.geom.RectangularShape r, java.awt.geom.Point2D a0, java.awt.geom.Dimension2D a1) {
        r.setFrame(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RectangularShape.setFrame(Ljava/awt/geom/Rectangle2D;)V. */
    public static void RectangularShape_setFrame_57(java.awt.geom.RectangularShape r, java.awt.geom.Rectangle2D a0) {
        r.setFrame(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RectangularShape.setFrameFromCenter(DDDD)V. */
    public static void RectangularShape_setFrameFromCenter_58(java.awt.geom.RectangularShape r, double a0, double a1, double a2, double a3) {
        r.setFrameFromCenter(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RectangularShape.setFrameFromCenter(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V. */
    public static void RectangularShape_setFrameFromCenter_59(java.awt.geom.RectangularShape r, java.awt.geom.Point2D a0, java.awt.geom.Point2D a1) {
        r.setFrameFromCenter(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RectangularShape.setFrameFromDiagonal(DDDD)V. */
    public static void RectangularShape_setFrameFromDiagonal_60(java.awt.geom.RectangularShape r, double a0, double a1, double a2, double a3) {
        r.setFrameFromDiagonal(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RectangularShape.setFrameFromDiagonal(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V. */
    public static void RectangularShape_setFrameFromDiagonal_61(java.awt.geom.RectangularShape r, java.awt.geom.Point2D a0, java.awt.geom.Point2D a1) {
        r.setFrameFromDiagonal(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D.add(DD)V. */
    public static void Rectangle2D_add_62(java.awt.geom.Rectangle2D r, double a0, double a1) {
        r.add(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D.add(Ljava/awt/geom/Point2D;)V. */
    public static void Rectangle2D_add_63(java.awt.geom.Rectangle2D r, java.awt.geom.Point2D a0) {
        r.add(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D.add(Ljava/awt/geom/Rectangle2D;)V. */
    public static void Rectangle2D_add_64(java.awt.geom.Rectangle2D r, java.awt.geom.Rectangle2D a0) {
        r.add(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D.setFrame(DDDD)V. */
    public static void Rectangle2D_setFrame_65(java.awt.geom.Rectangle2D r, double a0, double a1, double a2, double a3) {
        r.setFrame(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D.setFrame(Ljava/awt/geom/Point2D;Ljava/awt/geom/Dimension2D;)V. */
    public static void Rectangle2D_setFrame_66(java.awt.geom.Rectangle2D r, java.awt.geom.Point2D a0, java.awt.geom.Dimension2D a1) {
        r.setFrame(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D.setFrame(Ljava/awt/geom/Rectangle2D;)V. */
    public static void Rectangle2D_setFrame_67(java.awt.geom.Rectangle2D r, java.awt.geom.Rectangle2D a0) {
        r.setFrame(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D.setFrameFromCenter(DDDD)V. */
    public static void Rectangle2D_setFrameFromCenter_68(java.awt.geom.Rectangle2D r, double a0, double a1, double a2, double a3) {
        r.setFrameFromCenter(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D.setFrameFromCenter(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V. */
    public static void Rectangle2D_setFrameFromCenter_69(java.awt.geom.Rectangle2D r, java.awt.geom.Point2D a0, java.awt.geom.Point2D a1) {
        r.setFrameFromCenter(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D.setFrameFromDiagonal(DDDD)V. */
    public static void Rectangle2D_setFrameFromDiagonal_70(java.awt.geom.Rectangle2D r, double a0, double a1, double a2, double a3) {
        r.setFrameFromDiagonal(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D.setFrameFromDiagonal(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V. */
    public static void Rectangle2D_setFrameFromDiagonal_71(java.awt.geom.Rectangle2D r, java.awt.geom.Point2D a0, java.awt.geom.Point2D a1) {
        r.setFrameFromDiagonal(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D.setRect(DDDD)V. */
    public static void Rectangle2D_setRect_72(java.awt.geom.Rectangle2D r, double a0, double a1, double a2, double a3) {
        r.setRect(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D.setRect(Ljava/awt/geom/Rectangle2D;)V. */
    public static void Rectangle2D_setRect_73(java.awt.geom.Rectangle2D r, java.awt.geom.Rectangle2D a0) {
        r.setRect(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D$Double.add(DD)V. */
    public static void Rectangle2D_Double_add_74(java.awt.geom.Rectangle2D.Double r, double a0, double a1) {
        r.add(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D$Double.add(Ljava/awt/geom/Point2D;)V. */
    public static void Rectangle2D_Double_add_75(java.awt.geom.Rectangle2D.Double r, java.awt.geom.Point2D a0) {
        r.add(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D$Double.add(Ljava/awt/geom/Rectangle2D;)V. */
    public static void Rectangle2D_Double_add_76(java.awt.geom.Rectangle2D.Double r, java.awt.geom.Rectangle2D a0) {
        r.add(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D$Double.setFrame(DDDD)V. */
    public static void Rectangle2D_Double_setFrame_77(java.awt.geom.Rectangle2D.Double r, double a0, double a1, double a2, double a3) {
        r.setFrame(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D$Double.setFrame(Ljava/awt/geom/Point2D;Ljava/awt/geom/Dimension2D;)V. */
    public static void Rectangle2D_Double_setFrame_78(java.awt.geom.Rectangle2D.Double r, java.awt.geom.Point2D a0, java.awt.geom.Dimension2D a1) {
        r.setFrame(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D$Double.setFrame(Ljava/awt/geom/Rectangle2D;)V. */
    public static void Rectangle2D_Double_setFrame_79(java.awt.geom.Rectangle2D.Double r, java.awt.geom.Rectangle2D a0) {
        r.setFrame(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D$Double.setFrameFromCenter(DDDD)V. */
    public static void Rectangle2D_Double_setFrameFromCenter_80(java.awt.geom.Rectangle2D.Double r, double a0, double a1, double a2, double a3) {
        r.setFrameFromCenter(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D$Double.setFrameFromCenter(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V. */
    public static void Rectangle2D_Double_setFrameFromCenter_81(java.awt.geom.Rectangle2D.Double r, java.awt.geom.Point2D a0, java.awt.geom.Point2D a1) {
        r.setFrameFromCenter(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D$Double.setFrameFromDiagonal(DDDD)V. */
    public static void Rectangle2D_Double_setFrameFromDiagonal_82(java.awt.geom.Rectangle2D.Double r, double a0, double a1, double a2, double a3) {
        r.setFrameFromDiagonal(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D$Double.setFrameFromDiagonal(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V. */
    public static void Rectangle2D_Double_setFrameFromDiagonal_83(java.awt.geom.Rectangle2D.Double r, java.awt.geom.Point2D a0, java.awt.geom.Point2D a1) {
        r.setFrameFromDiagonal(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D$Double.setRect(DDDD)V. */
    public static void Rectangle2D_Double_setRect_84(java.awt.geom.Rectangle2D.Double r, double a0, double a1, double a2, double a3) {
        r.setRect(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D$Double.setRect(Ljava/awt/geom/Rectangle2D;)V. */
    public static void Rectangle2D_Double_setRect_85(java.awt.geom.Rectangle2D.Double r, java.awt.geom.Rectangle2D a0) {
        r.setRect(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D$Float.add(DD)V. */
    public static void Rectangle2D_Float_add_86(java.awt.geom.Rectangle2D.Float r, double a0, double a1) {
        r.add(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D$Float.add(Ljava/awt/geom/Point2D;)V. */
    public static void Rectangle2D_Float_add_87(java.awt.geom.Rectangle2D.Float r, java.awt.geom.Point2D a0) {
        r.add(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D$Float.add(Ljava/awt/geom/Rectangle2D;)V. */
    public static void Rectangle2D_Float_add_88(java.awt.geom.Rectangle2D.Float r, java.awt.geom.Rectangle2D a0) {
        r.add(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D$Float.setFrame(DDDD)V. */
    public static void Rectangle2D_Float_setFrame_89(java.awt.geom.Rectangle2D.Float r, double a0, double a1, double a2, double a3) {
        r.setFrame(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D$Float.setFrame(Ljava/awt/geom/Point2D;Ljava/awt/geom/Dimension2D;)V. */
    public static void Rectangle2D_Float_setFrame_90(java.awt.geom.Rectangle2D.Float r, java.awt.geom.Point2D a0, java.awt.geom.Dimension2D a1) {
        r.setFrame(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D$Float.setFrame(Ljava/awt/geom/Rectangle2D;)V. */
    public static void Rectangle2D_Float_setFrame_91(java.awt.geom.Rectangle2D.Float r, java.awt.geom.Rectangle2D a0) {
        r.setFrame(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D$Float.setFrameFromCenter(DDDD)V. */
    public static void Rectangle2D_Float_setFrameFromCenter_92(java.awt.geom.Rectangle2D.Float r, double a0, double a1, double a2, double a3) {
        r.setFrameFromCenter(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D$Float.setFrameFromCenter(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V. */
    public static void Rectangle2D_Float_setFrameFromCenter_93(java.awt.geom.Rectangle2D.Float r, java.awt.geom.Point2D a0, java.awt.geom.Point2D a1) {
        r.setFrameFromCenter(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D$Float.setFrameFromDiagonal(DDDD)V. */
    public static void Rectangle2D_Float_setFrameFromDiagonal_94(java.awt.geom.Rectangle2D.Float r, double a0, double a1, double a2, double a3) {
        r.setFrameFromDiagonal(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D$Float.setFrameFromDiagonal(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V. */
    public static void Rectangle2D_Float_setFrameFromDiagonal_95(java.awt.geom.Rectangle2D.Float r, java.awt.geom.Point2D a0, java.awt.geom.Point2D a1) {
        r.setFrameFromDiagonal(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D$Float.setRect(DDDD)V. */
    public static void Rectangle2D_Float_setRect_96(java.awt.geom.Rectangle2D.Float r, double a0, double a1, double a2, double a3) {
        r.setRect(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D$Float.setRect(FFFF)V. */
    public static void Rectangle2D_Float_setRect_97(java.awt.geom.Rectangle2D.Float r, float a0, float a1, float a2, float a3) {
        r.setRect(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Rectangle2D$Float.setRect(Ljava/awt/geom/Rectangle2D;)V. */
    public static void Rectangle2D_Float_setRect_98(java.awt.geom.Rectangle2D.Float r, java.awt.geom.Rectangle2D a0) {
        r.setRect(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RoundRectangle2D.setFrame(DDDD)V. */
    public static void RoundRectangle2D_setFrame_99(java.awt.geom.RoundRectangle2D r, double a0, double a1, double a2, double a3) {
        r.setFrame(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RoundRectangle2D.setFrame(Ljava/awt/geom/Point2D;Ljava/awt/geom/Dimension2D;)V. */
    public static void RoundRectangle2D_setFrame_100(java.awt.geom.RoundRectangle2D r, java.awt.geom.Point2D a0, java.awt.geom.Dimension2D a1) {
        r.setFrame(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RoundRectangle2D.setFrame(Ljava/awt/geom/Rectangle2D;)V. */
    public static void RoundRectangle2D_setFrame_101(java.awt.geom.RoundRectangle2D r, java.awt.geom.Rectangle2D a0) {
        r.setFrame(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RoundRectangle2D.setFrameFromCenter(DDDD)V. */
    public static void RoundRectangle2D_setFrameFromCenter_102(java.awt.geom.RoundRectangle2D r, double a0, double a1, double a2, double a3) {
        r.setFrameFromCenter(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RoundRectangle2D.setFrameFromCenter(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V. */
    public static void RoundRectangle2D_setFrameFromCenter_103(java.awt.geom.RoundRectangle2D r, java.awt.geom.Point2D a0, java.awt.geom.Point2D a1) {
        r.setFrameFromCenter(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RoundRectangle2D.setFrameFromDiagonal(DDDD)V. */
    public static void RoundRectangle2D_setFrameFromDiagonal_104(java.awt.geom.RoundRectangle2D r, double a0, double a1, double a2, double a3) {
        r.setFrameFromDiagonal(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RoundRectangle2D.setFrameFromDiagonal(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V. */
    public static void RoundRectangle2D_setFrameFromDiagonal_105(java.awt.geom.RoundRectangle2D r, java.awt.geom.Point2D a0, java.awt.geom.Point2D a1) {
        r.setFrameFromDiagonal(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RoundRectangle2D.setRoundRect(DDDDDD)V. */
    public static void RoundRectangle2D_setRoundRect_106(java.awt.geom.RoundRectangle2D r, double a0, double a1, double a2, double a3, double a4, double a5) {
        r.setRoundRect(a0, a1, a2, a3, a4, a5);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RoundRectangle2D.setRoundRect(Ljava/awt/geom/RoundRectangle2D;)V. */
    public static void RoundRectangle2D_setRoundRect_107(java.awt.geom.RoundRectangle2D r, java.awt.geom.RoundRectangle2D a0) {
        r.setRoundRect(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RoundRectangle2D$Double.setFrame(DDDD)V. */
    public static void RoundRectangle2D_Double_setFrame_108(java.awt.geom.RoundRectangle2D.Double r, double a0, double a1, double a2, double a3) {
        r.setFrame(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RoundRectangle2D$Double.setFrame(Ljava/awt/geom/Point2D;Ljava/awt/geom/Dimension2D;)V. */
    public static void RoundRectangle2D_Double_setFrame_109(java.awt.geom.RoundRectangle2D.Double r, java.awt.geom.Point2D a0, java.awt.geom.Dimension2D a1) {
        r.setFrame(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RoundRectangle2D$Double.setFrame(Ljava/awt/geom/Rectangle2D;)V. */
    public static void RoundRectangle2D_Double_setFrame_110(java.awt.geom.RoundRectangle2D.Double r, java.awt.geom.Rectangle2D a0) {
        r.setFrame(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RoundRectangle2D$Double.setFrameFromCenter(DDDD)V. */
    public static void RoundRectangle2D_Double_setFrameFromCenter_111(java.awt.geom.RoundRectangle2D.Double r, double a0, double a1, double a2, double a3) {
        r.setFrameFromCenter(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RoundRectangle2D$Double.setFrameFromCenter(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V. */
    public static void RoundRectangle2D_Double_setFrameFromCenter_112(java.awt.geom.RoundRectangle2D.Double r, java.awt.geom.Point2D a0, java.awt.geom.Point2D a1) {
        r.setFrameFromCenter(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RoundRectangle2D$Double.setFrameFromDiagonal(DDDD)V. */
    public static void RoundRectangle2D_Double_setFrameFromDiagonal_113(java.awt.geom.RoundRectangle2D.Double r, double a0, double a1, double a2, double a3) {
        r.setFrameFromDiagonal(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RoundRectangle2D$Double.setFrameFromDiagonal(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V. */
    public static void RoundRectangle2D_Double_setFrameFromDiagonal_114(java.awt.geom.RoundRectangle2D.Double r, java.awt.geom.Point2D a0, java.awt.geom.Point2D a1) {
        r.setFrameFromDiagonal(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RoundRectangle2D$Double.setRoundRect(DDDDDD)V. */
    public static void RoundRectangle2D_Double_setRoundRect_115(java.awt.geom.RoundRectangle2D.Double r, double a0, double a1, double a2, double a3, double a4, double a5) {
        r.setRoundRect(a0, a1, a2, a3, a4, a5);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RoundRectangle2D$Double.setRoundRect(Ljava/awt/geom/RoundRectangle2D;)V. */
    public static void RoundRectangle2D_Double_setRoundRect_116(java.awt.geom.RoundRectangle2D.Double r, java.awt.geom.RoundRectangle2D a0) {
        r.setRoundRect(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RoundRectangle2D$Float.setFrame(DDDD)V. */
    public static void RoundRectangle2D_Float_setFrame_117(java.awt.geom.RoundRectangle2D.Float r, double a0, double a1, double a2, double a3) {
        r.setFrame(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RoundRectangle2D$Float.setFrame(Ljava/awt/geom/Point2D;Ljava/awt/geom/Dimension2D;)V. */
    public static void RoundRectangle2D_Float_setFrame_118(java.awt.geom.RoundRectangle2D.Float r, java.awt.geom.Point2D a0, java.awt.geom.Dimension2D a1) {
        r.setFrame(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RoundRectangle2D$Float.setFrame(Ljava/awt/geom/Rectangle2D;)V. */
    public static void RoundRectangle2D_Float_setFrame_119(java.awt.geom.RoundRectangle2D.Float r, java.awt.geom.Rectangle2D a0) {
        r.setFrame(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RoundRectangle2D$Float.setFrameFromCenter(DDDD)V. */
    public static void RoundRectangle2D_Float_setFrameFromCenter_120(java.awt.geom.RoundRectangle2D.Float r, double a0, double a1, double a2, double a3) {
        r.setFrameFromCenter(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RoundRectangle2D$Float.setFrameFromCenter(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V. */
    public static void RoundRectangle2D_Float_setFrameFromCenter_121(java.awt.geom.RoundRectangle2D.Float r, java.awt.geom.Point2D a0, java.awt.geom.Point2D a1) {
        r.setFrameFromCenter(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RoundRectangle2D$Float.setFrameFromDiagonal(DDDD)V. */
    public static void RoundRectangle2D_Float_setFrameFromDiagonal_122(java.awt.geom.RoundRectangle2D.Float r, double a0, double a1, double a2, double a3) {
        r.setFrameFromDiagonal(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RoundRectangle2D$Float.setFrameFromDiagonal(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V. */
    public static void RoundRectangle2D_Float_setFrameFromDiagonal_123(java.awt.geom.RoundRectangle2D.Float r, java.awt.geom.Point2D a0, java.awt.geom.Point2D a1) {
        r.setFrameFromDiagonal(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RoundRectangle2D$Float.setRoundRect(DDDDDD)V. */
    public static void RoundRectangle2D_Float_setRoundRect_124(java.awt.geom.RoundRectangle2D.Float r, double a0, double a1, double a2, double a3, double a4, double a5) {
        r.setRoundRect(a0, a1, a2, a3, a4, a5);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RoundRectangle2D$Float.setRoundRect(FFFFFF)V. */
    public static void RoundRectangle2D_Float_setRoundRect_125(java.awt.geom.RoundRectangle2D.Float r, float a0, float a1, float a2, float a3, float a4, float a5) {
        r.setRoundRect(a0, a1, a2, a3, a4, a5);
        SharedValues.changed(r);
    }

    /** java.awt.geom.RoundRectangle2D$Float.setRoundRect(Ljava/awt/geom/RoundRectangle2D;)V. */
    public static void RoundRectangle2D_Float_setRoundRect_126(java.awt.geom.RoundRectangle2D.Float r, java.awt.geom.RoundRectangle2D a0) {
        r.setRoundRect(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Ellipse2D.setFrame(DDDD)V. */
    public static void Ellipse2D_setFrame_127(java.awt.geom.Ellipse2D r, double a0, double a1, double a2, double a3) {
        r.setFrame(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Ellipse2D.setFrame(Ljava/awt/geom/Point2D;Ljava/awt/geom/Dimension2D;)V. */
    public static void Ellipse2D_setFrame_128(java.awt.geom.Ellipse2D r, java.awt.geom.Point2D a0, java.awt.geom.Dimension2D a1) {
        r.setFrame(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Ellipse2D.setFrame(Ljava/awt/geom/Rectangle2D;)V. */
    public static void Ellipse2D_setFrame_129(java.awt.geom.Ellipse2D r, java.awt.geom.Rectangle2D a0) {
        r.setFrame(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Ellipse2D.setFrameFromCenter(DDDD)V. */
    public static void Ellipse2D_setFrameFromCenter_130(java.awt.geom.Ellipse2D r, double a0, double a1, double a2, double a3) {
        r.setFrameFromCenter(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Ellipse2D.setFrameFromCenter(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V. */
    public static void Ellipse2D_setFrameFromCenter_131(java.awt.geom.Ellipse2D r, java.awt.geom.Point2D a0, java.awt.geom.Point2D a1) {
        r.setFrameFromCenter(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Ellipse2D.setFrameFromDiagonal(DDDD)V. */
    public static void Ellipse2D_setFrameFromDiagonal_132(java.awt.geom.Ellipse2D r, double a0, double a1, double a2, double a3) {
        r.setFrameFromDiagonal(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Ellipse2D.setFrameFromDiagonal(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V. */
    public static void Ellipse2D_setFrameFromDiagonal_133(java.awt.geom.Ellipse2D r, java.awt.geom.Point2D a0, java.awt.geom.Point2D a1) {
        r.setFrameFromDiagonal(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Ellipse2D$Double.setFrame(DDDD)V. */
    public static void Ellipse2D_Double_setFrame_134(java.awt.geom.Ellipse2D.Double r, double a0, double a1, double a2, double a3) {
        r.setFrame(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Ellipse2D$Double.setFrame(Ljava/awt/geom/Point2D;Ljava/awt/geom/Dimension2D;)V. */
    public static void Ellipse2D_Double_setFrame_135(java.awt.geom.Ellipse2D.Double r, java.awt.geom.Point2D a0, java.awt.geom.Dimension2D a1) {
        r.setFrame(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Ellipse2D$Double.setFrame(Ljava/awt/geom/Rectangle2D;)V. */
    public static void Ellipse2D_Double_setFrame_136(java.awt.geom.Ellipse2D.Double r, java.awt.geom.Rectangle2D a0) {
        r.setFrame(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Ellipse2D$Double.setFrameFromCenter(DDDD)V. */
    public static void Ellipse2D_Double_setFrameFromCenter_137(java.awt.geom.Ellipse2D.Double r, double a0, double a1, double a2, double a3) {
        r.setFrameFromCenter(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Ellipse2D$Double.setFrameFromCenter(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V. */
    public static void Ellipse2D_Double_setFrameFromCenter_138(java.awt.geom.Ellipse2D.Double r, java.awt.geom.Point2D a0, java.awt.geom.Point2D a1) {
        r.setFrameFromCenter(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Ellipse2D$Double.setFrameFromDiagonal(DDDD)V. */
    public static void Ellipse2D_Double_setFrameFromDiagonal_139(java.awt.geom.Ellipse2D.Double r, double a0, double a1, double a2, double a3) {
        r.setFrameFromDiagonal(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Ellipse2D$Double.setFrameFromDiagonal(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V. */
    public static void Ellipse2D_Double_setFrameFromDiagonal_140(java.awt.geom.Ellipse2D.Double r, java.awt.geom.Point2D a0, java.awt.geom.Point2D a1) {
        r.setFrameFromDiagonal(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Ellipse2D$Float.setFrame(DDDD)V. */
    public static void Ellipse2D_Float_setFrame_141(java.awt.geom.Ellipse2D.Float r, double a0, double a1, double a2, double a3) {
        r.setFrame(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Ellipse2D$Float.setFrame(FFFF)V. */
    public static void Ellipse2D_Float_setFrame_142(java.awt.geom.Ellipse2D.Float r, float a0, float a1, float a2, float a3) {
        r.setFrame(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Ellipse2D$Float.setFrame(Ljava/awt/geom/Point2D;Ljava/awt/geom/Dimension2D;)V. */
    public static void Ellipse2D_Float_setFrame_143(java.awt.geom.Ellipse2D.Float r, java.awt.geom.Point2D a0, java.awt.geom.Dimension2D a1) {
        r.setFrame(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Ellipse2D$Float.setFrame(Ljava/awt/geom/Rectangle2D;)V. */
    public static void Ellipse2D_Float_setFrame_144(java.awt.geom.Ellipse2D.Float r, java.awt.geom.Rectangle2D a0) {
        r.setFrame(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Ellipse2D$Float.setFrameFromCenter(DDDD)V. */
    public static void Ellipse2D_Float_setFrameFromCenter_145(java.awt.geom.Ellipse2D.Float r, double a0, double a1, double a2, double a3) {
        r.setFrameFromCenter(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Ellipse2D$Float.setFrameFromCenter(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V. */
    public static void Ellipse2D_Float_setFrameFromCenter_146(java.awt.geom.Ellipse2D.Float r, java.awt.geom.Point2D a0, java.awt.geom.Point2D a1) {
        r.setFrameFromCenter(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Ellipse2D$Float.setFrameFromDiagonal(DDDD)V. */
    public static void Ellipse2D_Float_setFrameFromDiagonal_147(java.awt.geom.Ellipse2D.Float r, double a0, double a1, double a2, double a3) {
        r.setFrameFromDiagonal(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Ellipse2D$Float.setFrameFromDiagonal(Ljava/awt/geom/Point2D;Ljava/awt/geom/Point2D;)V. */
    public static void Ellipse2D_Float_setFrameFromDiagonal_148(java.awt.geom.Ellipse2D.Float r, java.awt.geom.Point2D a0, java.awt.geom.Point2D a1) {
        r.setFrameFromDiagonal(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D.append(Ljava/awt/Shape;Z)V. */
    public static void Path2D_append_149(java.awt.geom.Path2D r, java.awt.Shape a0, boolean a1) {
        r.append(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D.append(Ljava/awt/geom/PathIterator;Z)V. */
    public static void Path2D_append_150(java.awt.geom.Path2D r, java.awt.geom.PathIterator a0, boolean a1) {
        r.append(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D.closePath()V. */
    public static void Path2D_closePath_151(java.awt.geom.Path2D r) {
        r.closePath();
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D.curveTo(DDDDDD)V. */
    public static void Path2D_curveTo_152(java.awt.geom.Path2D r, double a0, double a1, double a2, double a3, double a4, double a5) {
        r.curveTo(a0, a1, a2, a3, a4, a5);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D.lineTo(DD)V. */
    public static void Path2D_lineTo_153(java.awt.geom.Path2D r, double a0, double a1) {
        r.lineTo(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D.moveTo(DD)V. */
    public static void Path2D_moveTo_154(java.awt.geom.Path2D r, double a0, double a1) {
        r.moveTo(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D.quadTo(DDDD)V. */
    public static void Path2D_quadTo_155(java.awt.geom.Path2D r, double a0, double a1, double a2, double a3) {
        r.quadTo(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D.reset()V. */
    public static void Path2D_reset_156(java.awt.geom.Path2D r) {
        r.reset();
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D.setWindingRule(I)V. */
    public static void Path2D_setWindingRule_157(java.awt.geom.Path2D r, int a0) {
        r.setWindingRule(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D.transform(Ljava/awt/geom/AffineTransform;)V. */
    public static void Path2D_transform_158(java.awt.geom.Path2D r, java.awt.geom.AffineTransform a0) {
        r.transform(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D.trimToSize()V. */
    public static void Path2D_trimToSize_159(java.awt.geom.Path2D r) {
        r.trimToSize();
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D$Double.append(Ljava/awt/Shape;Z)V. */
    public static void Path2D_Double_append_160(java.awt.geom.Path2D.Double r, java.awt.Shape a0, boolean a1) {
        r.append(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D$Double.append(Ljava/awt/geom/PathIterator;Z)V. */
    public static void Path2D_Double_append_161(java.awt.geom.Path2D.Double r, java.awt.geom.PathIterator a0, boolean a1) {
        r.append(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D$Double.closePath()V. */
    public static void Path2D_Double_closePath_162(java.awt.geom.Path2D.Double r) {
        r.closePath();
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D$Double.curveTo(DDDDDD)V. */
    public static void Path2D_Double_curveTo_163(java.awt.geom.Path2D.Double r, double a0, double a1, double a2, double a3, double a4, double a5) {
        r.curveTo(a0, a1, a2, a3, a4, a5);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D$Double.lineTo(DD)V. */
    public static void Path2D_Double_lineTo_164(java.awt.geom.Path2D.Double r, double a0, double a1) {
        r.lineTo(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D$Double.moveTo(DD)V. */
    public static void Path2D_Double_moveTo_165(java.awt.geom.Path2D.Double r, double a0, double a1) {
        r.moveTo(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D$Double.quadTo(DDDD)V. */
    public static void Path2D_Double_quadTo_166(java.awt.geom.Path2D.Double r, double a0, double a1, double a2, double a3) {
        r.quadTo(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D$Double.reset()V. */
    public static void Path2D_Double_reset_167(java.awt.geom.Path2D.Double r) {
        r.reset();
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D$Double.setWindingRule(I)V. */
    public static void Path2D_Double_setWindingRule_168(java.awt.geom.Path2D.Double r, int a0) {
        r.setWindingRule(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D$Double.transform(Ljava/awt/geom/AffineTransform;)V. */
    public static void Path2D_Double_transform_169(java.awt.geom.Path2D.Double r, java.awt.geom.AffineTransform a0) {
        r.transform(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D$Double.trimToSize()V. */
    public static void Path2D_Double_trimToSize_170(java.awt.geom.Path2D.Double r) {
        r.trimToSize();
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D$Float.append(Ljava/awt/Shape;Z)V. */
    public static void Path2D_Float_append_171(java.awt.geom.Path2D.Float r, java.awt.Shape a0, boolean a1) {
        r.append(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D$Float.append(Ljava/awt/geom/PathIterator;Z)V. */
    public static void Path2D_Float_append_172(java.awt.geom.Path2D.Float r, java.awt.geom.PathIterator a0, boolean a1) {
        r.append(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D$Float.closePath()V. */
    public static void Path2D_Float_closePath_173(java.awt.geom.Path2D.Float r) {
        r.closePath();
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D$Float.curveTo(DDDDDD)V. */
    public static void Path2D_Float_curveTo_174(java.awt.geom.Path2D.Float r, double a0, double a1, double a2, double a3, double a4, double a5) {
        r.curveTo(a0, a1, a2, a3, a4, a5);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D$Float.curveTo(FFFFFF)V. */
    public static void Path2D_Float_curveTo_175(java.awt.geom.Path2D.Float r, float a0, float a1, float a2, float a3, float a4, float a5) {
        r.curveTo(a0, a1, a2, a3, a4, a5);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D$Float.lineTo(DD)V. */
    public static void Path2D_Float_lineTo_176(java.awt.geom.Path2D.Float r, double a0, double a1) {
        r.lineTo(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D$Float.lineTo(FF)V. */
    public static void Path2D_Float_lineTo_177(java.awt.geom.Path2D.Float r, float a0, float a1) {
        r.lineTo(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D$Float.moveTo(DD)V. */
    public static void Path2D_Float_moveTo_178(java.awt.geom.Path2D.Float r, double a0, double a1) {
        r.moveTo(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D$Float.moveTo(FF)V. */
    public static void Path2D_Float_moveTo_179(java.awt.geom.Path2D.Float r, float a0, float a1) {
        r.moveTo(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D$Float.quadTo(DDDD)V. */
    public static void Path2D_Float_quadTo_180(java.awt.geom.Path2D.Float r, double a0, double a1, double a2, double a3) {
        r.quadTo(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D$Float.quadTo(FFFF)V. */
    public static void Path2D_Float_quadTo_181(java.awt.geom.Path2D.Float r, float a0, float a1, float a2, float a3) {
        r.quadTo(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D$Float.reset()V. */
    public static void Path2D_Float_reset_182(java.awt.geom.Path2D.Float r) {
        r.reset();
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D$Float.setWindingRule(I)V. */
    public static void Path2D_Float_setWindingRule_183(java.awt.geom.Path2D.Float r, int a0) {
        r.setWindingRule(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D$Float.transform(Ljava/awt/geom/AffineTransform;)V. */
    public static void Path2D_Float_transform_184(java.awt.geom.Path2D.Float r, java.awt.geom.AffineTransform a0) {
        r.transform(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.Path2D$Float.trimToSize()V. */
    public static void Path2D_Float_trimToSize_185(java.awt.geom.Path2D.Float r) {
        r.trimToSize();
        SharedValues.changed(r);
    }

    /** java.awt.geom.GeneralPath.append(Ljava/awt/Shape;Z)V. */
    public static void GeneralPath_append_186(java.awt.geom.GeneralPath r, java.awt.Shape a0, boolean a1) {
        r.append(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.GeneralPath.append(Ljava/awt/geom/PathIterator;Z)V. */
    public static void GeneralPath_append_187(java.awt.geom.GeneralPath r, java.awt.geom.PathIterator a0, boolean a1) {
        r.append(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.GeneralPath.closePath()V. */
    public static void GeneralPath_closePath_188(java.awt.geom.GeneralPath r) {
        r.closePath();
        SharedValues.changed(r);
    }

    /** java.awt.geom.GeneralPath.curveTo(DDDDDD)V. */
    public static void GeneralPath_curveTo_189(java.awt.geom.GeneralPath r, double a0, double a1, double a2, double a3, double a4, double a5) {
        r.curveTo(a0, a1, a2, a3, a4, a5);
        SharedValues.changed(r);
    }

    /** java.awt.geom.GeneralPath.curveTo(FFFFFF)V. */
    public static void GeneralPath_curveTo_190(java.awt.geom.GeneralPath r, float a0, float a1, float a2, float a3, float a4, float a5) {
        r.curveTo(a0, a1, a2, a3, a4, a5);
        SharedValues.changed(r);
    }

    /** java.awt.geom.GeneralPath.lineTo(DD)V. */
    public static void GeneralPath_lineTo_191(java.awt.geom.GeneralPath r, double a0, double a1) {
        r.lineTo(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.GeneralPath.lineTo(FF)V. */
    public static void GeneralPath_lineTo_192(java.awt.geom.GeneralPath r, float a0, float a1) {
        r.lineTo(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.GeneralPath.moveTo(DD)V. */
    public static void GeneralPath_moveTo_193(java.awt.geom.GeneralPath r, double a0, double a1) {
        r.moveTo(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.GeneralPath.moveTo(FF)V. */
    public static void GeneralPath_moveTo_194(java.awt.geom.GeneralPath r, float a0, float a1) {
        r.moveTo(a0, a1);
        SharedValues.changed(r);
    }

    /** java.awt.geom.GeneralPath.quadTo(DDDD)V. */
    public static void GeneralPath_quadTo_195(java.awt.geom.GeneralPath r, double a0, double a1, double a2, double a3) {
        r.quadTo(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.GeneralPath.quadTo(FFFF)V. */
    public static void GeneralPath_quadTo_196(java.awt.geom.GeneralPath r, float a0, float a1, float a2, float a3) {
        r.quadTo(a0, a1, a2, a3);
        SharedValues.changed(r);
    }

    /** java.awt.geom.GeneralPath.reset()V. */
    public static void GeneralPath_reset_197(java.awt.geom.GeneralPath r) {
        r.reset();
        SharedValues.changed(r);
    }

    /** java.awt.geom.GeneralPath.setWindingRule(I)V. */
    public static void GeneralPath_setWindingRule_198(java.awt.geom.GeneralPath r, int a0) {
        r.setWindingRule(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.GeneralPath.transform(Ljava/awt/geom/AffineTransform;)V. */
    public static void GeneralPath_transform_199(java.awt.geom.GeneralPath r, java.awt.geom.AffineTransform a0) {
        r.transform(a0);
        SharedValues.changed(r);
    }

    /** java.awt.geom.GeneralPath.trimToSize()V. */
    public static void GeneralPath_trimToSize_200(java.awt.geom.GeneralPath r) {
        r.trimToSize();
        SharedValues.changed(r);
    }
}
