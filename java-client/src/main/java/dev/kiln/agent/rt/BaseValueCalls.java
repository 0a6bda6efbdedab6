package dev.kiln.agent.rt;

import java.util.HashMap;
import java.util.Map;

/**
 * The in-place mutators of the java.base value types of {@link BaseValues}: {@code Date.setTime}
 * and its deprecated setters, {@code Calendar}/{@code GregorianCalendar} {@code set}/{@code add}/
 * {@code roll}/{@code setTime*}/{@code setTimeZone}/{@code clear}..., {@code BitSet}
 * {@code set}/{@code clear}/{@code flip}/{@code and}/{@code or}/{@code xor}/{@code andNot}.
 * In instrumented classes a call {@code INVOKEVIRTUAL owner.m(desc)} of one of them becomes
 * {@code INVOKESTATIC} of the method here with the receiver first (same stack shape, no frame
 * change: {@code dev.kiln.agent.ValueCallRewriter}). Each one: one static read while no value of
 * its family is shared in this JVM ({@link BaseValues#dates}...), else {@link BaseValues#before}
 * (a shared one outside a cluster lock is refused before any change), the JDK call, {@link BaseValues#after} (a shared one's new state
 * recorded). Generated (the list of mutators: docs/agent.md "java.base value types").
 */
@SuppressWarnings("deprecation")
public final class BaseValueCalls {
    private BaseValueCalls() {}

    private static final Map<String, String> TARGETS = targets();

    /** The method here standing for {@code owner.name desc} (internal owner name), or null. */
    public static String target(String owner, String name, String desc) {
        return TARGETS.get(owner + "." + name + desc);
    }

    private static Map<String, String> targets() {
        Map<String, String> t = new HashMap<>();
        t.put("java/util/Date.setTime(J)V", "Date_setTime_0");
        t.put("java/util/Date.setYear(I)V", "Date_setYear_1");
        t.put("java/util/Date.setMonth(I)V", "Date_setMonth_2");
        t.put("java/util/Date.setDate(I)V", "Date_setDate_3");
        t.put("java/util/Date.setHours(I)V", "Date_setHours_4");
        t.put("java/util/Date.setMinutes(I)V", "Date_setMinutes_5");
        t.put("java/util/Date.setSeconds(I)V", "Date_setSeconds_6");
        t.put("java/util/Calendar.set(II)V", "Calendar_set_7");
        t.put("java/util/Calendar.set(III)V", "Calendar_set_8");
        t.put("java/util/Calendar.set(IIIII)V", "Calendar_set_9");
        t.put("java/util/Calendar.set(IIIIII)V", "Calendar_set_10");
        t.put("java/util/Calendar.add(II)V", "Calendar_add_11");
        t.put("java/util/Calendar.roll(IZ)V", "Calendar_roll_12");
        t.put("java/util/Calendar.roll(II)V", "Calendar_roll_13");
        t.put("java/util/Calendar.setTime(Ljava/util/Date;)V", "Calendar_setTime_14");
        t.put("java/util/Calendar.setTimeInMillis(J)V", "Calendar_setTimeInMillis_15");
        t.put("java/util/Calendar.setTimeZone(Ljava/util/TimeZone;)V", "Calendar_setTimeZone_16");
        t.put("java/util/Calendar.setLenient(Z)V", "Calendar_setLenient_17");
        t.put("java/util/Calendar.setFirstDayOfWeek(I)V", "Calendar_setFirstDayOfWeek_18");
        t.put("java/util/Calendar.setMinimalDaysInFirstWeek(I)V", "Calendar_setMinimalDaysInFirstWeek_19");
        t.put("java/util/Calendar.clear()V", "Calendar_clear_20");
        t.put("java/util/Calendar.clear(I)V", "Calendar_clear_21");
        t.put("java/util/Calendar.setWeekDate(III)V", "Calendar_setWeekDate_22");
        t.put("java/util/GregorianCalendar.set(II)V", "GregorianCalendar_set_23");
        t.put("java/util/GregorianCalendar.set(III)V", "GregorianCalendar_set_24");
        t.put("java/util/GregorianCalendar.set(IIIII)V", "GregorianCalendar_set_25");
        t.put("java/util/GregorianCalendar.set(IIIIII)V", "GregorianCalendar_set_26");
        t.put("java/util/GregorianCalendar.add(II)V", "GregorianCalendar_add_27");
        t.put("java/util/GregorianCalendar.roll(IZ)V", "GregorianCalendar_roll_28");
        t.put("java/util/GregorianCalendar.roll(II)V", "GregorianCalendar_roll_29");
        t.put("java/util/GregorianCalendar.setTime(Ljava/util/Date;)V", "GregorianCalendar_setTime_30");
        t.put("java/util/GregorianCalendar.setTimeInMillis(J)V", "GregorianCalendar_setTimeInMillis_31");
        t.put("java/util/GregorianCalendar.setTimeZone(Ljava/util/TimeZone;)V", "GregorianCalendar_setTimeZone_32");
        t.put("java/util/GregorianCalendar.setLenient(Z)V", "GregorianCalendar_setLenient_33");
        t.put("java/util/GregorianCalendar.setFirstDayOfWeek(I)V", "GregorianCalendar_setFirstDayOfWeek_34");
        t.put("java/util/GregorianCalendar.setMinimalDaysInFirstWeek(I)V", "GregorianCalendar_setMinimalDaysInFirstWeek_35");
        t.put("java/util/GregorianCalendar.clear()V", "GregorianCalendar_clear_36");
        t.put("java/util/GregorianCalendar.clear(I)V", "GregorianCalendar_clear_37");
        t.put("java/util/GregorianCalendar.setWeekDate(III)V", "GregorianCalendar_setWeekDate_38");
        t.put("java/util/GregorianCalendar.setGregorianChange(Ljava/util/Date;)V", "GregorianCalendar_setGregorianChange_39");
        t.put("java/util/BitSet.set(I)V", "BitSet_set_40");
        t.put("java/util/BitSet.set(IZ)V", "BitSet_set_41");
        t.put("java/util/BitSet.set(II)V", "BitSet_set_42");
        t.put("java/util/BitSet.set(IIZ)V", "BitSet_set_43");
        t.put("java/util/BitSet.clear(I)V", "BitSet_clear_44");
        t.put("java/util/BitSet.clear(II)V", "BitSet_clear_45");
        t.put("java/util/BitSet.clear()V", "BitSet_clear_46");
        t.put("java/util/BitSet.flip(I)V", "BitSet_flip_47");
        t.put("java/util/BitSet.flip(II)V", "BitSet_flip_48");
        t.put("java/util/BitSet.and(Ljava/util/BitSet;)V", "BitSet_and_49");
        t.put("java/util/BitSet.or(Ljava/util/BitSet;)V", "BitSet_or_50");
        t.put("java/util/BitSet.xor(Ljava/util/BitSet;)V", "BitSet_xor_51");
        t.put("java/util/BitSet.andNot(Ljava/util/BitSet;)V", "BitSet_andNot_52");
        return t;
    }

    public static void Date_setTime_0(java.util.Date r, long a0) {
        long oid = BaseValues.dates ? BaseValues.before(r, "setTime") : 0;
        r.setTime(a0);
        BaseValues.after(r, oid);
    }

    public static void Date_setYear_1(java.util.Date r, int a0) {
        long oid = BaseValues.dates ? BaseValues.before(r, "setYear") : 0;
        r.setYear(a0);
        BaseValues.after(r, oid);
    }

    public static void Date_setMonth_2(java.util.Date r, int a0) {
        long oid = BaseValues.dates ? BaseValues.before(r, "setMonth") : 0;
        r.setMonth(a0);
        BaseValues.after(r, oid);
    }

    public static void Date_setDate_3(java.util.Date r, int a0) {
        long oid = BaseValues.dates ? BaseValues.before(r, "setDate") : 0;
        r.setDate(a0);
        BaseValues.after(r, oid);
    }

    public static void Date_setHours_4(java.util.Date r, int a0) {
        long oid = BaseValues.dates ? BaseValues.before(r, "setHours") : 0;
        r.setHours(a0);
        BaseValues.after(r, oid);
    }

    public static void Date_setMinutes_5(java.util.Date r, int a0) {
        long oid = BaseValues.dates ? BaseValues.before(r, "setMinutes") : 0;
        r.setMinutes(a0);
        BaseValues.after(r, oid);
    }

    public static void Date_setSeconds_6(java.util.Date r, int a0) {
        long oid = BaseValues.dates ? BaseValues.before(r, "setSeconds") : 0;
        r.setSeconds(a0);
        BaseValues.after(r, oid);
    }

    public static void Calendar_set_7(java.util.Calendar r, int a0, int a1) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "set") : 0;
        r.set(a0, a1);
        BaseValues.after(r, oid);
    }

    public static void Calendar_set_8(java.util.Calendar r, int a0, int a1, int a2) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "set") : 0;
        r.set(a0, a1, a2);
        BaseValues.after(r, oid);
    }

    public static void Calendar_set_9(java.util.Calendar r, int a0, int a1, int a2, int a3, int a4) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "set") : 0;
        r.set(a0, a1, a2, a3, a4);
        BaseValues.after(r, oid);
    }

    public static void Calendar_set_10(java.util.Calendar r, int a0, int a1, int a2, int a3, int a4, int a5) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "set") : 0;
        r.set(a0, a1, a2, a3, a4, a5);
        BaseValues.after(r, oid);
    }

    public static void Calendar_add_11(java.util.Calendar r, int a0, int a1) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "add") : 0;
        r.add(a0, a1);
        BaseValues.after(r, oid);
    }

    public static void Calendar_roll_12(java.util.Calendar r, int a0, boolean a1) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "roll") : 0;
        r.roll(a0, a1);
        BaseValues.after(r, oid);
    }

    public static void Calendar_roll_13(java.util.Calendar r, int a0, int a1) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "roll") : 0;
        r.roll(a0, a1);
        BaseValues.after(r, oid);
    }

    public static void Calendar_setTime_14(java.util.Calendar r, java.util.Date a0) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "setTime") : 0;
        r.setTime(a0);
        BaseValues.after(r, oid);
    }

    public static void Calendar_setTimeInMillis_15(java.util.Calendar r, long a0) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "setTimeInMillis") : 0;
        r.setTimeInMillis(a0);
        BaseValues.after(r, oid);
    }

    public static void Calendar_setTimeZone_16(java.util.Calendar r, java.util.TimeZone a0) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "setTimeZone") : 0;
        r.setTimeZone(a0);
        BaseValues.after(r, oid);
    }

    public static void Calendar_setLenient_17(java.util.Calendar r, boolean a0) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "setLenient") : 0;
        r.setLenient(a0);
        BaseValues.after(r, oid);
    }

    public static void Calendar_setFirstDayOfWeek_18(java.util.Calendar r, int a0) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "setFirstDayOfWeek") : 0;
        r.setFirstDayOfWeek(a0);
        BaseValues.after(r, oid);
    }

    public static void Calendar_setMinimalDaysInFirstWeek_19(java.util.Calendar r, int a0) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "setMinimalDaysInFirstWeek") : 0;
        r.setMinimalDaysInFirstWeek(a0);
        BaseValues.after(r, oid);
    }

    public static void Calendar_clear_20(java.util.Calendar r) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "clear") : 0;
        r.clear();
        BaseValues.after(r, oid);
    }

    public static void Calendar_clear_21(java.util.Calendar r, int a0) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "clear") : 0;
        r.clear(a0);
        BaseValues.after(r, oid);
    }

    public static void Calendar_setWeekDate_22(java.util.Calendar r, int a0, int a1, int a2) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "setWeekDate") : 0;
        r.setWeekDate(a0, a1, a2);
        BaseValues.after(r, oid);
    }

    public static void GregorianCalendar_set_23(java.util.GregorianCalendar r, int a0, int a1) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "set") : 0;
        r.set(a0, a1);
        BaseValues.after(r, oid);
    }

    public static void GregorianCalendar_set_24(java.util.GregorianCalendar r, int a0, int a1, int a2) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "set") : 0;
        r.set(a0, a1, a2);
        BaseValues.after(r, oid);
    }

    public static void GregorianCalendar_set_25(java.util.GregorianCalendar r, int a0, int a1, int a2, int a3, int a4) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "set") : 0;
        r.set(a0, a1, a2, a3, a4);
        BaseValues.after(r, oid);
    }

    public static void GregorianCalendar_set_26(java.util.GregorianCalendar r, int a0, int a1, int a2, int a3, int a4, int a5) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "set") : 0;
        r.set(a0, a1, a2, a3, a4, a5);
        BaseValues.after(r, oid);
    }

    public static void GregorianCalendar_add_27(java.util.GregorianCalendar r, int a0, int a1) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "add") : 0;
        r.add(a0, a1);
        BaseValues.after(r, oid);
    }

    public static void GregorianCalendar_roll_28(java.util.GregorianCalendar r, int a0, boolean a1) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "roll") : 0;
        r.roll(a0, a1);
        BaseValues.after(r, oid);
    }

    public static void GregorianCalendar_roll_29(java.util.GregorianCalendar r, int a0, int a1) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "roll") : 0;
        r.roll(a0, a1);
        BaseValues.after(r, oid);
    }

    public static void GregorianCalendar_setTime_30(java.util.GregorianCalendar r, java.util.Date a0) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "setTime") : 0;
        r.setTime(a0);
        BaseValues.after(r, oid);
    }

    public static void GregorianCalendar_setTimeInMillis_31(java.util.GregorianCalendar r, long a0) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "setTimeInMillis") : 0;
        r.setTimeInMillis(a0);
        BaseValues.after(r, oid);
    }

    public static void GregorianCalendar_setTimeZone_32(java.util.GregorianCalendar r, java.util.TimeZone a0) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "setTimeZone") : 0;
        r.setTimeZone(a0);
        BaseValues.after(r, oid);
    }

    public static void GregorianCalendar_setLenient_33(java.util.GregorianCalendar r, boolean a0) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "setLenient") : 0;
        r.setLenient(a0);
        BaseValues.after(r, oid);
    }

    public static void GregorianCalendar_setFirstDayOfWeek_34(java.util.GregorianCalendar r, int a0) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "setFirstDayOfWeek") : 0;
        r.setFirstDayOfWeek(a0);
        BaseValues.after(r, oid);
    }

    public static void GregorianCalendar_setMinimalDaysInFirstWeek_35(java.util.GregorianCalendar r, int a0) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "setMinimalDaysInFirstWeek") : 0;
        r.setMinimalDaysInFirstWeek(a0);
        BaseValues.after(r, oid);
    }

    public static void GregorianCalendar_clear_36(java.util.GregorianCalendar r) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "clear") : 0;
        r.clear();
        BaseValues.after(r, oid);
    }

    public static void GregorianCalendar_clear_37(java.util.GregorianCalendar r, int a0) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "clear") : 0;
        r.clear(a0);
        BaseValues.after(r, oid);
    }

    public static void GregorianCalendar_setWeekDate_38(java.util.GregorianCalendar r, int a0, int a1, int a2) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "setWeekDate") : 0;
        r.setWeekDate(a0, a1, a2);
        BaseValues.after(r, oid);
    }

    public static void GregorianCalendar_setGregorianChange_39(java.util.GregorianCalendar r, java.util.Date a0) {
        long oid = BaseValues.calendars ? BaseValues.before(r, "setGregorianChange") : 0;
        r.setGregorianChange(a0);
        BaseValues.after(r, oid);
    }

    public static void BitSet_set_40(java.util.BitSet r, int a0) {
        long oid = BaseValues.bits ? BaseValues.before(r, "set") : 0;
        r.set(a0);
        BaseValues.after(r, oid);
    }

    public static void BitSet_set_41(java.util.BitSet r, int a0, boolean a1) {
        long oid = BaseValues.bits ? BaseValues.before(r, "set") : 0;
        r.set(a0, a1);
        BaseValues.after(r, oid);
    }

    public static void BitSet_set_42(java.util.BitSet r, int a0, int a1) {
        long oid = BaseValues.bits ? BaseValues.before(r, "set") : 0;
        r.set(a0, a1);
        BaseValues.after(r, oid);
    }

    public static void BitSet_set_43(java.util.BitSet r, int a0, int a1, boolean a2) {
        long oid = BaseValues.bits ? BaseValues.before(r, "set") : 0;
        r.set(a0, a1, a2);
        BaseValues.after(r, oid);
    }

    public static void BitSet_clear_44(java.util.BitSet r, int a0) {
        long oid = BaseValues.bits ? BaseValues.before(r, "clear") : 0;
        r.clear(a0);
        BaseValues.after(r, oid);
    }

    public static void BitSet_clear_45(java.util.BitSet r, int a0, int a1) {
        long oid = BaseValues.bits ? BaseValues.before(r, "clear") : 0;
        r.clear(a0, a1);
        BaseValues.after(r, oid);
    }

    public static void BitSet_clear_46(java.util.BitSet r) {
        long oid = BaseValues.bits ? BaseValues.before(r, "clear") : 0;
        r.clear();
        BaseValues.after(r, oid);
    }

    public static void BitSet_flip_47(java.util.BitSet r, int a0) {
        long oid = BaseValues.bits ? BaseValues.before(r, "flip") : 0;
        r.flip(a0);
        BaseValues.after(r, oid);
    }

    public static void BitSet_flip_48(java.util.BitSet r, int a0, int a1) {
        long oid = BaseValues.bits ? BaseValues.before(r, "flip") : 0;
        r.flip(a0, a1);
        BaseValues.after(r, oid);
    }

    public static void BitSet_and_49(java.util.BitSet r, java.util.BitSet a0) {
        long oid = BaseValues.bits ? BaseValues.before(r, "and") : 0;
        r.and(a0);
        BaseValues.after(r, oid);
    }

    public static void BitSet_or_50(java.util.BitSet r, java.util.BitSet a0) {
        long oid = BaseValues.bits ? BaseValues.before(r, "or") : 0;
        r.or(a0);
        BaseValues.after(r, oid);
    }

    public static void BitSet_xor_51(java.util.BitSet r, java.util.BitSet a0) {
        long oid = BaseValues.bits ? BaseValues.before(r, "xor") : 0;
        r.xor(a0);
        BaseValues.after(r, oid);
    }

    public static void BitSet_andNot_52(java.util.BitSet r, java.util.BitSet a0) {
        long oid = BaseValues.bits ? BaseValues.before(r, "andNot") : 0;
        r.andNot(a0);
        BaseValues.after(r, oid);
    }
}
