package dev.kiln.agent.rt;

import java.util.HashMap;
import java.util.Map;

/**
 * The in-place mutators of {@code StringBuilder} and {@code StringBuffer} ({@code append},
 * {@code insert}, {@code delete}, {@code deleteCharAt}, {@code replace}, {@code reverse},
 * {@code appendCodePoint}, {@code setLength}, {@code setCharAt}, {@code trimToSize}): in
 * instrumented classes a call of one of them on a builder that may be shared becomes
 * {@code INVOKESTATIC} of its twin here (receiver first, same stack shape, same result). Calls
 * on a builder the method itself just made and has not let out ({@code new StringBuilder()
 * .append(a).append(b).toString()}, javac's string concatenation) are left alone, so HotSpot's
 * string-concatenation optimisation still sees them ({@code dev.kiln.agent.ValueCallRewriter}).
 * Each twin: one static read while no builder is shared in this JVM, else
 * {@link BaseValues#before} (refused outside a cluster lock before any change), the JDK call,
 * {@link BaseValues#after}. Generated (docs/agent.md "java.base value types").
 */
public final class BuilderCalls {
    private BuilderCalls() {}

    private static final Map<String, String> TARGETS = targets();

    /** The method here standing for {@code owner.name desc} (internal owner name), or null. */
    public static String target(String owner, String name, String desc) {
        return TARGETS.get(owner + "." + name + desc);
    }

    private static Map<String, String> targets() {
        Map<String, String> t = new HashMap<>();
        t.put("java/lang/StringBuilder.append(Ljava/lang/Object;)Ljava/lang/StringBuilder;", "StringBuilder_append_0");
        t.put("java/lang/StringBuilder.append(Ljava/lang/String;)Ljava/lang/StringBuilder;", "StringBuilder_append_1");
        t.put("java/lang/StringBuilder.append(Ljava/lang/StringBuffer;)Ljava/lang/StringBuilder;", "StringBuilder_append_2");
        t.put("java/lang/StringBuilder.append(Ljava/lang/CharSequence;)Ljava/lang/StringBuilder;", "StringBuilder_append_3");
        t.put("java/lang/StringBuilder.append(Ljava/lang/CharSequence;II)Ljava/lang/StringBuilder;", "StringBuilder_append_4");
        t.put("java/lang/StringBuilder.append([C)Ljava/lang/StringBuilder;", "StringBuilder_append_5");
        t.put("java/lang/StringBuilder.append([CII)Ljava/lang/StringBuilder;", "StringBuilder_append_6");
        t.put("java/lang/StringBuilder.append(Z)Ljava/lang/StringBuilder;", "StringBuilder_append_7");
        t.put("java/lang/StringBuilder.append(C)Ljava/lang/StringBuilder;", "StringBuilder_append_8");
        t.put("java/lang/StringBuilder.append(I)Ljava/lang/StringBuilder;", "StringBuilder_append_9");
        t.put("java/lang/StringBuilder.append(J)Ljava/lang/StringBuilder;", "StringBuilder_append_10");
        t.put("java/lang/StringBuilder.append(F)Ljava/lang/StringBuilder;", "StringBuilder_append_11");
        t.put("java/lang/StringBuilder.append(D)Ljava/lang/StringBuilder;", "StringBuilder_append_12");
        t.put("java/lang/StringBuilder.appendCodePoint(I)Ljava/lang/StringBuilder;", "StringBuilder_appendCodePoint_13");
        t.put("java/lang/StringBuilder.insert(I[CII)Ljava/lang/StringBuilder;", "StringBuilder_insert_14");
        t.put("java/lang/StringBuilder.insert(ILjava/lang/Object;)Ljava/lang/StringBuilder;", "StringBuilder_insert_15");
        t.put("java/lang/StringBuilder.insert(ILjava/lang/String;)Ljava/lang/StringBuilder;", "StringBuilder_insert_16");
        t.put("java/lang/StringBuilder.insert(I[C)Ljava/lang/StringBuilder;", "StringBuilder_insert_17");
        t.put("java/lang/StringBuilder.insert(ILjava/lang/CharSequence;)Ljava/lang/StringBuilder;", "StringBuilder_insert_18");
        t.put("java/lang/StringBuilder.insert(ILjava/lang/CharSequence;II)Ljava/lang/StringBuilder;", "StringBuilder_insert_19");
        t.put("java/lang/StringBuilder.insert(IZ)Ljava/lang/StringBuilder;", "StringBuilder_insert_20");
        t.put("java/lang/StringBuilder.insert(IC)Ljava/lang/StringBuilder;", "StringBuilder_insert_21");
        t.put("java/lang/StringBuilder.insert(II)Ljava/lang/StringBuilder;", "StringBuilder_insert_22");
        t.put("java/lang/StringBuilder.insert(IJ)Ljava/lang/StringBuilder;", "StringBuilder_insert_23");
        t.put("java/lang/StringBuilder.insert(IF)Ljava/lang/StringBuilder;", "StringBuilder_insert_24");
        t.put("java/lang/StringBuilder.insert(ID)Ljava/lang/StringBuilder;", "StringBuilder_insert_25");
        t.put("java/lang/StringBuilder.delete(II)Ljava/lang/StringBuilder;", "StringBuilder_delete_26");
        t.put("java/lang/StringBuilder.deleteCharAt(I)Ljava/lang/StringBuilder;", "StringBuilder_deleteCharAt_27");
        t.put("java/lang/StringBuilder.replace(IILjava/lang/String;)Ljava/lang/StringBuilder;", "StringBuilder_replace_28");
        t.put("java/lang/StringBuilder.reverse()Ljava/lang/StringBuilder;", "StringBuilder_reverse_29");
        t.put("java/lang/StringBuilder.setLength(I)V", "StringBuilder_setLength_30");
        t.put("java/lang/StringBuilder.setCharAt(IC)V", "StringBuilder_setCharAt_31");
        t.put("java/lang/StringBuilder.trimToSize()V", "StringBuilder_trimToSize_32");
        t.put("java/lang/StringBuffer.append(Ljava/lang/Object;)Ljava/lang/StringBuffer;", "StringBuffer_append_33");
        t.put("java/lang/StringBuffer.append(Ljava/lang/String;)Ljava/lang/StringBuffer;", "StringBuffer_append_34");
        t.put("java/lang/StringBuffer.append(Ljava/lang/StringBuffer;)Ljava/lang/StringBuffer;", "StringBuffer_append_35");
        t.put("java/lang/StringBuffer.append(Ljava/lang/CharSequence;)Ljava/lang/StringBuffer;", "StringBuffer_append_36");
        t.put("java/lang/StringBuffer.append(Ljava/lang/CharSequence;II)Ljava/lang/StringBuffer;", "StringBuffer_append_37");
        t.put("java/lang/StringBuffer.append([C)Ljava/lang/StringBuffer;", "StringBuffer_append_38");
        t.put("java/lang/StringBuffer.append([CII)Ljava/lang/StringBuffer;", "StringBuffer_append_39");
        t.put("java/lang/StringBuffer.append(Z)Ljava/lang/StringBuffer;", "StringBuffer_append_40");
        t.put("java/lang/StringBuffer.append(C)Ljava/lang/StringBuffer;", "StringBuffer_append_41");
        t.put("java/lang/StringBuffer.append(I)Ljava/lang/StringBuffer;", "StringBuffer_append_42");
        t.put("java/lang/StringBuffer.append(J)Ljava/lang/StringBuffer;", "StringBuffer_append_43");
        t.put("java/lang/StringBuffer.append(F)Ljava/lang/StringBuffer;", "StringBuffer_append_44");
        t.put("java/lang/StringBuffer.append(D)Ljava/lang/StringBuffer;", "StringBuffer_append_45");
        t.put("java/lang/StringBuffer.appendCodePoint(I)Ljava/lang/StringBuffer;", "StringBuffer_appendCodePoint_46");
        t.put("java/lang/StringBuffer.insert(I[CII)Ljava/lang/StringBuffer;", "StringBuffer_insert_47");
        t.put("java/lang/StringBuffer.insert(ILjava/lang/Object;)Ljava/lang/StringBuffer;", "StringBuffer_insert_48");
        t.put("java/lang/StringBuffer.insert(ILjava/lang/String;)Ljava/lang/StringBuffer;", "StringBuffer_insert_49");
        t.put("java/lang/StringBuffer.insert(I[C)Ljava/lang/StringBuffer;", "StringBuffer_insert_50");
        t.put("java/lang/StringBuffer.insert(ILjava/lang/CharSequence;)Ljava/lang/StringBuffer;", "StringBuffer_insert_51");
        t.put("java/lang/StringBuffer.insert(ILjava/lang/CharSequence;II)Ljava/lang/StringBuffer;", "StringBuffer_insert_52");
        t.put("java/lang/StringBuffer.insert(IZ)Ljava/lang/StringBuffer;", "StringBuffer_insert_53");
        t.put("java/lang/StringBuffer.insert(IC)Ljava/lang/StringBuffer;", "StringBuffer_insert_54");
        t.put("java/lang/StringBuffer.insert(II)Ljava/lang/StringBuffer;", "StringBuffer_insert_55");
        t.put("java/lang/StringBuffer.insert(IJ)Ljava/lang/StringBuffer;", "StringBuffer_insert_56");
        t.put("java/lang/StringBuffer.insert(IF)Ljava/lang/StringBuffer;", "StringBuffer_insert_57");
        t.put("java/lang/StringBuffer.insert(ID)Ljava/lang/StringBuffer;", "StringBuffer_insert_58");
        t.put("java/lang/StringBuffer.delete(II)Ljava/lang/StringBuffer;", "StringBuffer_delete_59");
        t.put("java/lang/StringBuffer.deleteCharAt(I)Ljava/lang/StringBuffer;", "StringBuffer_deleteCharAt_60");
        t.put("java/lang/StringBuffer.replace(IILjava/lang/String;)Ljava/lang/StringBuffer;", "StringBuffer_replace_61");
        t.put("java/lang/StringBuffer.reverse()Ljava/lang/StringBuffer;", "StringBuffer_reverse_62");
        t.put("java/lang/StringBuffer.setLength(I)V", "StringBuffer_setLength_63");
        t.put("java/lang/StringBuffer.setCharAt(IC)V", "StringBuffer_setCharAt_64");
        t.put("java/lang/StringBuffer.trimToSize()V", "StringBuffer_trimToSize_65");
        return t;
    }

    public static java.lang.StringBuilder StringBuilder_append_0(java.lang.StringBuilder r, java.lang.Object a0) {
        long oid = BaseValues.builders ? BaseValues.before(r, "append") : 0;
        java.lang.StringBuilder x = r.append(a0);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuilder StringBuilder_append_1(java.lang.StringBuilder r, java.lang.String a0) {
        long oid = BaseValues.builders ? BaseValues.before(r, "append") : 0;
        java.lang.StringBuilder x = r.append(a0);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuilder StringBuilder_append_2(java.lang.StringBuilder r, java.lang.StringBuffer a0) {
        long oid = BaseValues.builders ? BaseValues.before(r, "append") : 0;
        java.lang.StringBuilder x = r.append(a0);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuilder StringBuilder_append_3(java.lang.StringBuilder r, java.lang.CharSequence a0) {
        long oid = BaseValues.builders ? BaseValues.before(r, "append") : 0;
        java.lang.StringBuilder x = r.append(a0);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuilder StringBuilder_append_4(java.lang.StringBuilder r, java.lang.CharSequence a0, int a1, int a2) {
        long oid = BaseValues.builders ? BaseValues.before(r, "append") : 0;
        java.lang.StringBuilder x = r.append(a0, a1, a2);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuilder StringBuilder_append_5(java.lang.StringBuilder r, char[] a0) {
        long oid = BaseValues.builders ? BaseValues.before(r, "append") : 0;
        java.lang.StringBuilder x = r.append(a0);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuilder StringBuilder_append_6(java.lang.StringBuilder r, char[] a0, int a1, int a2) {
        long oid = BaseValues.builders ? BaseValues.before(r, "append") : 0;
        java.lang.StringBuilder x = r.append(a0, a1, a2);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuilder StringBuilder_append_7(java.lang.StringBuilder r, boolean a0) {
        long oid = BaseValues.builders ? BaseValues.before(r, "append") : 0;
        java.lang.StringBuilder x = r.append(a0);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuilder StringBuilder_append_8(java.lang.StringBuilder r, char a0) {
        long oid = BaseValues.builders ? BaseValues.before(r, "append") : 0;
        java.lang.StringBuilder x = r.append(a0);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuilder StringBuilder_append_9(java.lang.StringBuilder r, int a0) {
        long oid = BaseValues.builders ? BaseValues.before(r, "append") : 0;
        java.lang.StringBuilder x = r.append(a0);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuilder StringBuilder_append_10(java.lang.StringBuilder r, long a0) {
        long oid = BaseValues.builders ? BaseValues.before(r, "append") : 0;
        java.lang.StringBuilder x = r.append(a0);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuilder StringBuilder_append_11(java.lang.StringBuilder r, float a0) {
        long oid = BaseValues.builders ? BaseValues.before(r, "append") : 0;
        java.lang.StringBuilder x = r.append(a0);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuilder StringBuilder_append_12(java.lang.StringBuilder r, double a0) {
        long oid = BaseValues.builders ? BaseValues.before(r, "append") : 0;
        java.lang.StringBuilder x = r.append(a0);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuilder StringBuilder_appendCodePoint_13(java.lang.StringBuilder r, int a0) {
        long oid = BaseValues.builders ? BaseValues.before(r, "appendCodePoint") : 0;
        java.lang.StringBuilder x = r.appendCodePoint(a0);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuilder StringBuilder_insert_14(java.lang.StringBuilder r, int a0, char[] a1, int a2, int a3) {
        long oid = BaseValues.builders ? BaseValues.before(r, "insert") : 0;
        java.lang.StringBuilder x = r.insert(a0, a1, a2, a3);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuilder StringBuilder_insert_15(java.lang.StringBuilder r, int a0, java.lang.Object a1) {
        long oid = BaseValues.builders ? BaseValues.before(r, "insert") : 0;
        java.lang.StringBuilder x = r.insert(a0, a1);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuilder StringBuilder_insert_16(java.lang.StringBuilder r, int a0, java.lang.String a1) {
        long oid = BaseValues.builders ? BaseValues.before(r, "insert") : 0;
        java.lang.StringBuilder x = r.insert(a0, a1);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuilder StringBuilder_insert_17(java.lang.StringBuilder r, int a0, char[] a1) {
        long oid = BaseValues.builders ? BaseValues.before(r, "insert") : 0;
        java.lang.StringBuilder x = r.insert(a0, a1);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuilder StringBuilder_insert_18(java.lang.StringBuilder r, int a0, java.lang.CharSequence a1) {
        long oid = BaseValues.builders ? BaseValues.before(r, "insert") : 0;
        java.lang.StringBuilder x = r.insert(a0, a1);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuilder StringBuilder_insert_19(java.lang.StringBuilder r, int a0, java.lang.CharSequence a1, int a2, int a3) {
        long oid = BaseValues.builders ? BaseValues.before(r, "insert") : 0;
        java.lang.StringBuilder x = r.insert(a0, a1, a2, a3);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuilder StringBuilder_insert_20(java.lang.StringBuilder r, int a0, boolean a1) {
        long oid = BaseValues.builders ? BaseValues.before(r, "insert") : 0;
        java.lang.StringBuilder x = r.insert(a0, a1);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuilder StringBuilder_insert_21(java.lang.StringBuilder r, int a0, char a1) {
        long oid = BaseValues.builders ? BaseValues.before(r, "insert") : 0;
        java.lang.StringBuilder x = r.insert(a0, a1);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuilder StringBuilder_insert_22(java.lang.StringBuilder r, int a0, int a1) {
        long oid = BaseValues.builders ? BaseValues.before(r, "insert") : 0;
        java.lang.StringBuilder x = r.insert(a0, a1);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuilder StringBuilder_insert_23(java.lang.StringBuilder r, int a0, long a1) {
        long oid = BaseValues.builders ? BaseValues.before(r, "insert") : 0;
        java.lang.StringBuilder x = r.insert(a0, a1);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuilder StringBuilder_insert_24(java.lang.StringBuilder r, int a0, float a1) {
        long oid = BaseValues.builders ? BaseValues.before(r, "insert") : 0;
        java.lang.StringBuilder x = r.insert(a0, a1);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuilder StringBuilder_insert_25(java.lang.StringBuilder r, int a0, double a1) {
        long oid = BaseValues.builders ? BaseValues.before(r, "insert") : 0;
        java.lang.StringBuilder x = r.insert(a0, a1);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuilder StringBuilder_delete_26(java.lang.StringBuilder r, int a0, int a1) {
        long oid = BaseValues.builders ? BaseValues.before(r, "delete") : 0;
        java.lang.StringBuilder x = r.delete(a0, a1);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuilder StringBuilder_deleteCharAt_27(java.lang.StringBuilder r, int a0) {
        long oid = BaseValues.builders ? BaseValues.before(r, "deleteCharAt") : 0;
        java.lang.StringBuilder x = r.deleteCharAt(a0);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuilder StringBuilder_replace_28(java.lang.StringBuilder r, int a0, int a1, java.lang.String a2) {
        long oid = BaseValues.builders ? BaseValues.before(r, "replace") : 0;
        java.lang.StringBuilder x = r.replace(a0, a1, a2);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuilder StringBuilder_reverse_29(java.lang.StringBuilder r) {
        long oid = BaseValues.builders ? BaseValues.before(r, "reverse") : 0;
        java.lang.StringBuilder x = r.reverse();
        BaseValues.after(r, oid);
        return x;
    }

    public static void StringBuilder_setLength_30(java.lang.StringBuilder r, int a0) {
        long oid = BaseValues.builders ? BaseValues.before(r, "setLength") : 0;
        r.setLength(a0);
        BaseValues.after(r, oid);
    }

    public static void StringBuilder_setCharAt_31(java.lang.StringBuilder r, int a0, char a1) {
        long oid = BaseValues.builders ? BaseValues.before(r, "setCharAt") : 0;
        r.setCharAt(a0, a1);
        BaseValues.after(r, oid);
    }

    public static void StringBuilder_trimToSize_32(java.lang.StringBuilder r) {
        long oid = BaseValues.builders ? BaseValues.before(r, "trimToSize") : 0;
        r.trimToSize();
        BaseValues.after(r, oid);
    }

    public static java.lang.StringBuffer StringBuffer_append_33(java.lang.StringBuffer r, java.lang.Object a0) {
        long oid = BaseValues.builders ? BaseValues.before(r, "append") : 0;
        java.lang.StringBuffer x = r.append(a0);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuffer StringBuffer_append_34(java.lang.StringBuffer r, java.lang.String a0) {
        long oid = BaseValues.builders ? BaseValues.before(r, "append") : 0;
        java.lang.StringBuffer x = r.append(a0);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuffer StringBuffer_append_35(java.lang.StringBuffer r, java.lang.StringBuffer a0) {
        long oid = BaseValues.builders ? BaseValues.before(r, "append") : 0;
        java.lang.StringBuffer x = r.append(a0);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuffer StringBuffer_append_36(java.lang.StringBuffer r, java.lang.CharSequence a0) {
        long oid = BaseValues.builders ? BaseValues.before(r, "append") : 0;
        java.lang.StringBuffer x = r.append(a0);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuffer StringBuffer_append_37(java.lang.StringBuffer r, java.lang.CharSequence a0, int a1, int a2) {
        long oid = BaseValues.builders ? BaseValues.before(r, "append") : 0;
        java.lang.StringBuffer x = r.append(a0, a1, a2);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuffer StringBuffer_append_38(java.lang.StringBuffer r, char[] a0) {
        long oid = BaseValues.builders ? BaseValues.before(r, "append") : 0;
        java.lang.StringBuffer x = r.append(a0);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuffer StringBuffer_append_39(java.lang.StringBuffer r, char[] a0, int a1, int a2) {
        long oid = BaseValues.builders ? BaseValues.before(r, "append") : 0;
        java.lang.StringBuffer x = r.append(a0, a1, a2);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuffer StringBuffer_append_40(java.lang.StringBuffer r, boolean a0) {
        long oid = BaseValues.builders ? BaseValues.before(r, "append") : 0;
        java.lang.StringBuffer x = r.append(a0);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuffer StringBuffer_append_41(java.lang.StringBuffer r, char a0) {
        long oid = BaseValues.builders ? BaseValues.before(r, "append") : 0;
        java.lang.StringBuffer x = r.append(a0);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuffer StringBuffer_append_42(java.lang.StringBuffer r, int a0) {
        long oid = BaseValues.builders ? BaseValues.before(r, "append") : 0;
        java.lang.StringBuffer x = r.append(a0);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuffer StringBuffer_append_43(java.lang.StringBuffer r, long a0) {
        long oid = BaseValues.builders ? BaseValues.before(r, "append") : 0;
        java.lang.StringBuffer x = r.append(a0);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuffer StringBuffer_append_44(java.lang.StringBuffer r, float a0) {
        long oid = BaseValues.builders ? BaseValues.before(r, "append") : 0;
        java.lang.StringBuffer x = r.append(a0);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuffer StringBuffer_append_45(java.lang.StringBuffer r, double a0) {
        long oid = BaseValues.builders ? BaseValues.before(r, "append") : 0;
        java.lang.StringBuffer x = r.append(a0);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuffer StringBuffer_appendCodePoint_46(java.lang.StringBuffer r, int a0) {
        long oid = BaseValues.builders ? BaseValues.before(r, "appendCodePoint") : 0;
        java.lang.StringBuffer x = r.appendCodePoint(a0);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuffer StringBuffer_insert_47(java.lang.StringBuffer r, int a0, char[] a1, int a2, int a3) {
        long oid = BaseValues.builders ? BaseValues.before(r, "insert") : 0;
        java.lang.StringBuffer x = r.insert(a0, a1, a2, a3);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuffer StringBuffer_insert_48(java.lang.StringBuffer r, int a0, java.lang.Object a1) {
        long oid = BaseValues.builders ? BaseValues.before(r, "insert") : 0;
        java.lang.StringBuffer x = r.insert(a0, a1);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuffer StringBuffer_insert_49(java.lang.StringBuffer r, int a0, java.lang.String a1) {
        long oid = BaseValues.builders ? BaseValues.before(r, "insert") : 0;
        java.lang.StringBuffer x = r.insert(a0, a1);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuffer StringBuffer_insert_50(java.lang.StringBuffer r, int a0, char[] a1) {
        long oid = BaseValues.builders ? BaseValues.before(r, "insert") : 0;
        java.lang.StringBuffer x = r.insert(a0, a1);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuffer StringBuffer_insert_51(java.lang.StringBuffer r, int a0, java.lang.CharSequence a1) {
        long oid = BaseValues.builders ? BaseValues.before(r, "insert") : 0;
        java.lang.StringBuffer x = r.insert(a0, a1);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuffer StringBuffer_insert_52(java.lang.StringBuffer r, int a0, java.lang.CharSequence a1, int a2, int a3) {
        long oid = BaseValues.builders ? BaseValues.before(r, "insert") : 0;
        java.lang.StringBuffer x = r.insert(a0, a1, a2, a3);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuffer StringBuffer_insert_53(java.lang.StringBuffer r, int a0, boolean a1) {
        long oid = BaseValues.builders ? BaseValues.before(r, "insert") : 0;
        java.lang.StringBuffer x = r.insert(a0, a1);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuffer StringBuffer_insert_54(java.lang.StringBuffer r, int a0, char a1) {
        long oid = BaseValues.builders ? BaseValues.before(r, "insert") : 0;
        java.lang.StringBuffer x = r.insert(a0, a1);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuffer StringBuffer_insert_55(java.lang.StringBuffer r, int a0, int a1) {
        long oid = BaseValues.builders ? BaseValues.before(r, "insert") : 0;
        java.lang.StringBuffer x = r.insert(a0, a1);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuffer StringBuffer_insert_56(java.lang.StringBuffer r, int a0, long a1) {
        long oid = BaseValues.builders ? BaseValues.before(r, "insert") : 0;
        java.lang.StringBuffer x = r.insert(a0, a1);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuffer StringBuffer_insert_57(java.lang.StringBuffer r, int a0, float a1) {
        long oid = BaseValues.builders ? BaseValues.before(r, "insert") : 0;
        java.lang.StringBuffer x = r.insert(a0, a1);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuffer StringBuffer_insert_58(java.lang.StringBuffer r, int a0, double a1) {
        long oid = BaseValues.builders ? BaseValues.before(r, "insert") : 0;
        java.lang.StringBuffer x = r.insert(a0, a1);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuffer StringBuffer_delete_59(java.lang.StringBuffer r, int a0, int a1) {
        long oid = BaseValues.builders ? BaseValues.before(r, "delete") : 0;
        java.lang.StringBuffer x = r.delete(a0, a1);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuffer StringBuffer_deleteCharAt_60(java.lang.StringBuffer r, int a0) {
        long oid = BaseValues.builders ? BaseValues.before(r, "deleteCharAt") : 0;
        java.lang.StringBuffer x = r.deleteCharAt(a0);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuffer StringBuffer_replace_61(java.lang.StringBuffer r, int a0, int a1, java.lang.String a2) {
        long oid = BaseValues.builders ? BaseValues.before(r, "replace") : 0;
        java.lang.StringBuffer x = r.replace(a0, a1, a2);
        BaseValues.after(r, oid);
        return x;
    }

    public static java.lang.StringBuffer StringBuffer_reverse_62(java.lang.StringBuffer r) {
        long oid = BaseValues.builders ? BaseValues.before(r, "reverse") : 0;
        java.lang.StringBuffer x = r.reverse();
        BaseValues.after(r, oid);
        return x;
    }

    public static void StringBuffer_setLength_63(java.lang.StringBuffer r, int a0) {
        long oid = BaseValues.builders ? BaseValues.before(r, "setLength") : 0;
        r.setLength(a0);
        BaseValues.after(r, oid);
    }

    public static void StringBuffer_setCharAt_64(java.lang.StringBuffer r, int a0, char a1) {
        long oid = BaseValues.builders ? BaseValues.before(r, "setCharAt") : 0;
        r.setCharAt(a0, a1);
        BaseValues.after(r, oid);
    }

    public static void StringBuffer_trimToSize_65(java.lang.StringBuffer r) {
        long oid = BaseValues.builders ? BaseValues.before(r, "trimToSize") : 0;
        r.trimToSize();
        BaseValues.after(r, oid);
    }
}
