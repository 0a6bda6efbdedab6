package demo.sched;

import java.io.File;
import java.net.InetAddress;
import java.net.URI;
import java.net.URL;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.time.DayOfWeek;
import java.util.BitSet;
import java.util.Date;
import java.util.EnumSet;
import java.util.EventObject;
import java.util.GregorianCalendar;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TimeZone;

/** The shared state of a cluster of job runners: plain JDK value types in a plain object. */
public class Scheduler {
    final List<Job> jobs = new ArrayList<>();
    /** Bit n: the job of slot n has run this night. */
    final BitSet done = new BitSet();
    /** Changed in place (setTime) by whichever JVM ran a job last. */
    final Date lastRun = new Date(0);
    /** The job due first: the same Calendar object as that job's. */
    GregorianCalendar nextDue;
    Throwable lastFailure;
    final List<EventObject> events = new ArrayList<>();
    Timestamp batchStamp;
    java.sql.Date night;
    Time window;
    File spool;
    URL endpoint;
    URI policy;
    InetAddress gateway;
    Locale locale;
    TimeZone zone;
    java.util.UUID batchId;
    java.util.Currency costCurrency;
    /** The nights the batch runs: an EnumSet (shared as a sorted set: same order, same equality). */
    final Set<DayOfWeek> nights = EnumSet.of(DayOfWeek.MONDAY, DayOfWeek.WEDNESDAY);
    /** What happened when: Dates as the keys of a shared TreeMap. */
    final java.util.TreeMap<Date, String> history = new java.util.TreeMap<>();
    /** The night's log, appended to in place by every runner. */
    final StringBuffer log = new StringBuffer();
    Object extra;
    int round;
}
