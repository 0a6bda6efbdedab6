package dev.kiln.agent.rt;

import java.util.HashMap;
import java.util.Map;

/**
 * The in-place mutators of {@code java.sql.Date}/{@code Time}/{@code Timestamp} ({@code setTime},
 * the deprecated setters, {@code Timestamp.setNanos}): apart from {@link BaseValueCalls} so a JVM
 * without the java.sql module still verifies that class.
 * In instrumented classes a call {@code INVOKEVIRTUAL owner.m(desc)} of one of them becomes
 * {@code INVOKESTATIC} of the method here with the receiver first (same stack shape, no frame
 * change: {@code dev.kiln.agent.ValueCallRewriter}). Each one: one static read while no value of
 * its family is shared in this JVM ({@link BaseValues#dates}...), else {@link BaseValues#before}
 * (a shared one outside a cluster lock is refused before any change), the JDK call, {@link BaseValues#after} (a shared one's new state
 * recorded). Generated (the list of mutators: docs/agent.md "java.base value types").
 */
@SuppressWarnings("deprecation")
public final class SqlValueCalls {
    private SqlValueCalls() {}

    private static final Map<String, String> TARGETS = targets();

    /** The method here standing for {@code owner.name desc} (internal owner name), or null. */
    public static String target(String owner, String name, String desc) {
        return TARGETS.get(owner + "." + name + desc);
    }

    private static Map<String, String> targets() {
        Map<String, String> t = new HashMap<>();
        t.put("java/sql/Date.setTime(J)V", "Date_setTime_0");
        t.put("java/sql/Date.setYear(I)V", "Date_setYear_1");
        t.put("java/sql/Date.setMonth(I)V", "Date_setMonth_2");
        t.put("java/sql/Date.setDate(I)V", "Date_setDate_3");
        t.put("java/sql/Date.setHours(I)V", "Date_setHours_4");
        t.put("java/sql/Date.setMinutes(I)V", "Date_setMinutes_5");
        t.put("java/sql/Date.setSeconds(I)V", "Date_setSeconds_6");
        t.put("java/sql/Time.setTime(J)V", "Time_setTime_7");
        t.put("java/sql/Time.setYear(I)V", "Time_setYear_8");
        t.put("java/sql/Time.setMonth(I)V", "Time_setMonth_9");
        t.put("java/sql/Time.setDate(I)V", "Time_setDate_10");
        t.put("java/sql/Time.setHours(I)V", "Time_setHours_11");
        t.put("java/sql/Time.setMinutes(I)V", "Time_setMinutes_12");
        t.put("java/sql/Time.setSeconds(I)V", "Time_setSeconds_13");
        t.put("java/sql/Timestamp.setTime(J)V", "Timestamp_setTime_14");
        t.put("java/sql/Timestamp.setYear(I)V", "Timestamp_setYear_15");
        t.put("java/sql/Timestamp.setMonth(I)V", "Timestamp_setMonth_16");
        t.put("java/sql/Timestamp.setDate(I)V", "Timestamp_setDate_17");
        t.put("java/sql/Timestamp.setHours(I)V", "Timestamp_setHours_18");
        t.put("java/sql/Timestamp.setMinutes(I)V", "Timestamp_setMinutes_19");
        t.put("java/sql/Timestamp.setSeconds(I)V", "Timestamp_setSeconds_20");
        t.put("java/sql/Timestamp.setNanos(I)V", "Timestamp_setNanos_21");
        return t;
    }

    public static void Date_setTime_0(java.sql.Date r, long a0) {
        long oid = BaseValues.dates ? BaseValues.before(r, "setTime") : 0;
        r.setTime(a0);
        BaseValues.after(r, oid);
    }

    public static void Date_setYear_1(java.sql.Date r, int a0) {
        long oid = BaseValues.dates ? BaseValues.before(r, "setYear") : 0;
        r.setYear(a0);
        BaseValues.after(r, oid);
    }

    public static void Date_setMonth_2(java.sql.Date r, int a0) {
        long oid = BaseValues.dates ? BaseValues.before(r, "setMonth") : 0;
        r.setMonth(a0);
        BaseValues.after(r, oid);
    }

    public static void Date_setDate_3(java.sql.Date r, int a0) {
        long oid = BaseValues.dates ? BaseValues.before(r, "setDate") : 0;
        r.setDate(a0);
        BaseValues.after(r, oid);
    }

    public static void Date_setHours_4(java.sql.Date r, int a0) {
        long oid = BaseValues.dates ? BaseValues.before(r, "setHours") : 0;
        r.setHours(a0);
        BaseValues.after(r, oid);
    }

    public static void Date_setMinutes_5(java.sql.Date r, int a0) {
        long oid = BaseValues.dates ? BaseValues.before(r, "setMinutes") : 0;
        r.setMinutes(a0);
        BaseValues.after(r, oid);
    }

    public static void Date_setSeconds_6(java.sql.Date r, int a0) {
        long oid = BaseValues.dates ? BaseValues.before(r, "setSeconds") : 0;
        r.setSeconds(a0);
        BaseValues.after(r, oid);
    }

    public static void Time_setTime_7(java.sql.Time r, long a0) {
        long oid = BaseValues.dates ? BaseValues.before(r, "setTime") : 0;
        r.setTime(a0);
        BaseValues.after(r, oid);
    }

    public static void Time_setYear_8(java.sql.Time r, int a0) {
        long oid = BaseValues.dates ? BaseValues.before(r, "setYear") : 0;
        r.setYear(a0);
        BaseValues.after(r, oid);
    }

    public static void Time_setMonth_9(java.sql.Time r, int a0) {
        long oid = BaseValues.dates ? BaseValues.before(r, "setMonth") : 0;
        r.setMonth(a0);
        BaseValues.after(r, oid);
    }

    public static void Time_setDate_10(java.sql.Time r, int a0) {
        long oid = BaseValues.dates ? BaseValues.before(r, "setDate") : 0;
        r.setDate(a0);
        BaseValues.after(r, oid);
    }

    public static void Time_setHours_11(java.sql.Time r, int a0) {
        long oid = BaseValues.dates ? BaseValues.before(r, "setHours") : 0;
        r.setHours(a0);
        BaseValues.after(r, oid);
    }

    public static void Time_setMinutes_12(java.sql.Time r, int a0) {
        long oid = BaseValues.dates ? BaseValues.before(r, "setMinutes") : 0;
        r.setMinutes(a0);
        BaseValues.after(r, oid);
    }

    public static void Time_setSeconds_13(java.sql.Time r, int a0) {
        long oid = BaseValues.dates ? BaseValues.before(r, "setSeconds") : 0;
        r.setSeconds(a0);
        BaseValues.after(r, oid);
    }

    public static void Timestamp_setTime_14(java.sql.Timestamp r, long a0) {
        long oid = BaseValues.dates ? BaseValues.before(r, "setTime") : 0;
        r.setTime(a0);
        BaseValues.after(r, oid);
    }

    public static void Timestamp_setYear_15(java.sql.Timestamp r, int a0) {
        long oid = BaseValues.dates ? BaseValues.before(r, "setYear") : 0;
        r.setYear(a0);
        BaseValues.after(r, oid);
    }

    public static void Timestamp_setMonth_16(java.sql.Timestamp r, int a0) {
        long oid = BaseValues.dates ? BaseValues.before(r, "setMonth") : 0;
        r.setMonth(a0);
        BaseValues.after(r, oid);
    }

    public static void Timestamp_setDate_17(java.sql.Timestamp r, int a0) {
        long oid = BaseValues.dates ? BaseValues.before(r, "setDate") : 0;
        r.setDate(a0);
        BaseValues.after(r, oid);
    }

    public static void Timestamp_setHours_18(java.sql.Timestamp r, int a0) {
        long oid = BaseValues.dates ? BaseValues.before(r, "setHours") : 0;
        r.setHours(a0);
        BaseValues.after(r, oid);
    }

    public static void Timestamp_setMinutes_19(java.sql.Timestamp r, int a0) {
        long oid = BaseValues.dates ? BaseValues.before(r, "setMinutes") : 0;
        r.setMinutes(a0);
        BaseValues.after(r, oid);
    }

    public static void Timestamp_setSeconds_20(java.sql.Timestamp r, int a0) {
        long oid = BaseValues.dates ? BaseValues.before(r, "setSeconds") : 0;
        r.setSeconds(a0);
        BaseValues.after(r, oid);
    }

    public static void Timestamp_setNanos_21(java.sql.Timestamp r, int a0) {
        long oid = BaseValues.dates ? BaseValues.before(r, "setNanos") : 0;
        r.setNanos(a0);
        BaseValues.after(r, oid);
    }
}
