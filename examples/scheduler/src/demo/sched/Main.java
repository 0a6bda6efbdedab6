package demo.sched;

import com.tc.exception.TCNonPortableObjectError;
import com.tc.object.tx.UnlockedSharedObjectException;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URL;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.DayOfWeek;
import java.util.BitSet;
import java.util.Calendar;
import java.util.EventObject;
import java.util.GregorianCalendar;
import java.util.Locale;
import java.util.SimpleTimeZone;
import java.util.TimeZone;

/**
 * A plain Java program: a cluster of nightly job runners sharing one Scheduler (a root) of
 * Calendar-dated jobs, a BitSet of done slots, the last run Date (changed in place), the last
 * failure's exception and job events, java.sql dates, and File/URL/URI/InetAddress/Locale/
 * TimeZone settings — JDK types Terracotta DSO shared without configuration.
 *
 * <p>Argument: "plan" (first JVM: plans the night, then waits for a runner and prints again),
 * "run" (second: prints, runs two jobs, one fails), "report" (third: prints).
 */
public class Main {
    static Scheduler scheduler = new Scheduler();

    public static void main(String[] args) throws Exception {
        Scheduler s = scheduler;
        if (args[0].equals("plan")) {
            plan(s);
            refusals(s);
            print(s);
            awaitRound(s, 1);
            print(s);
        } else if (args[0].equals("run")) {
            print(s);
            run(s);
            print(s);
        } else {
            print(s);
        }
    }

    static void plan(Scheduler s) throws IOException {
        synchronized (s) {
            TimeZone paris = TimeZone.getTimeZone("Europe/Paris");
            String[] names = {"backup", "index", "report"};
            for (int i = 0; i < names.length; i++) {
                GregorianCalendar due = new GregorianCalendar(paris, Locale.FRANCE);
                due.clear();
                due.set(2009, Calendar.JUNE, 1, 1 + i, 30);
                s.jobs.add(new Job(names[i], i, due));
            }
            s.nextDue = s.jobs.get(0).due;
            s.done.set(0); // the backup already ran
            s.lastRun.setTime(1243807200000L);
            s.batchStamp = new Timestamp(1243807200000L);
            s.batchStamp.setNanos(123456789);
            s.night = java.sql.Date.valueOf("2009-06-01");
            s.window = Time.valueOf("01:00:00");
            s.spool = new File("/var/spool/nightly");
            s.endpoint = new URL("http://jobs.example.com:8080/api/run?night=1");
            s.policy = URI.create("urn:example:policy:retry-3");
            s.gateway = InetAddress.getByAddress("gw.example.com", new byte[] {10, 0, 0, 7});
            s.locale = Locale.FRANCE;
            s.zone = paris;
            s.batchId = java.util.UUID.fromString("123e4567-e89b-12d3-a456-426614174000");
            s.costCurrency = java.util.Currency.getInstance("EUR");
            s.events.add(new EventObject("planner"));
            s.log.append("planned ").append(s.jobs.size()).append(" jobs;");
            s.history.put(new java.util.Date(1243807200000L), "planned");
        }
    }

    static void refusals(Scheduler s) {
        try {
            s.lastRun.setTime(1L); // outside any lock
            System.out.println("app: unlocked setTime accepted?!");
        } catch (UnlockedSharedObjectException e) {
            System.out.println("app: unlocked setTime refused: " + upTo(e.getMessage(), " (object") + ", lastRun still " + s.lastRun.getTime());
        }
        try {
            s.log.append(" unlocked");
            System.out.println("app: unlocked append accepted?!");
        } catch (UnlockedSharedObjectException e) {
            System.out.println("app: unlocked append refused, log still '" + s.log + "'");
        }
        try {
            s.done.set(7);
            System.out.println("app: unlocked BitSet.set accepted?!");
        } catch (UnlockedSharedObjectException e) {
            System.out.println("app: unlocked BitSet.set refused, done still " + s.done);
        }
        try {
            synchronized (s) {
                GregorianCalendar odd = new GregorianCalendar(new SimpleTimeZone(5400000, "Custom+0130"));
                s.jobs.add(new Job("odd", 9, odd));
            }
            System.out.println("app: custom time zone accepted?!");
        } catch (TCNonPortableObjectError e) {
            String m = upTo(e.getMessage(), " (only");
            System.out.println("app: custom zone refused: ..." + m.substring(m.indexOf(".due holds")) + "; jobs " + s.jobs.size());
        }
        try {
            synchronized (s) {
                s.extra = new Window();
            }
            System.out.println("app: EnumSet field accepted?!");
        } catch (TCNonPortableObjectError e) {
            String m = e.getMessage();
            System.out.println("app: EnumSet field refused: ..." + m.substring(m.indexOf(".days holds"), m.indexOf(" to share it")));
        }
    }

    static void run(Scheduler s) {
        synchronized (s) {
            Job index = s.jobs.get(1);
            s.done.set(index.slot);
            s.lastRun.setTime(1243812600000L);
            s.batchStamp.setNanos(987654321);
            s.events.add(new JobEvent(s, index.name, "done"));
            s.log.append(" index done;");
            s.history.put(new java.util.Date(1243812600000L), "index done");
            s.history.put(new java.util.Date(1243807200000L), "planned, then run"); // an equal key: replaced
            s.nights.add(DayOfWeek.FRIDAY);
            s.nights.remove(DayOfWeek.MONDAY);
            s.nextDue.add(Calendar.DAY_OF_MONTH, 1); // tomorrow's backup: through the alias
            try {
                runReport();
            } catch (IllegalStateException e) {
                e.addSuppressed(new IOException("could not close the report file"));
                s.lastFailure = new JobFailedException("report", 2, e);
                s.events.add(new JobEvent(s, "report", "failed"));
                s.jobs.get(2).due.set(Calendar.HOUR_OF_DAY, 5); // retry at five
                StringBuffer log = s.log;
                log.insert(0, '[').append(" report failed]");
            }
            BitSet retry = new BitSet();
            retry.set(4);
            s.done.or(retry);
            s.round = 1;
            s.notifyAll();
        }
    }

    static void runReport() {
        throw new IllegalStateException("report job failed", new IOException("disk full on /var/spool/nightly"));
    }

    static void awaitRound(Scheduler s, int round) throws InterruptedException {
        synchronized (s) {
            while (s.round < round) {
                s.wait();
            }
        }
    }

    static void print(Scheduler s) {
        synchronized (s) {
            StringBuilder b = new StringBuilder("app: jobs");
            for (Job j : s.jobs) {
                b.append(' ').append(j.name).append('@').append(String.format("%tF %<tR %<tZ", j.due));
            }
            System.out.println(b);
            System.out.println("app: nextDue is job 0's calendar " + (s.nextDue == s.jobs.get(0).due) + ", zone " + s.nextDue.getTimeZone().getID()
                    + ", first day " + s.nextDue.getFirstDayOfWeek());
            System.out.println("app: done " + s.done + " lastRun " + s.lastRun.getTime() + " stamp " + s.batchStamp.getTime() + "/"
                    + s.batchStamp.getNanos() + " night " + s.night + " window " + s.window);
            System.out.println("app: spool " + s.spool + " endpoint " + s.endpoint + " port " + s.endpoint.getPort() + " policy " + s.policy
                    + " gateway " + s.gateway + " locale " + s.locale + " zone " + s.zone.getID() + " nights " + s.nights);
            System.out.println("app: batch " + s.batchId + " costs in " + s.costCurrency + " (the JVM's own instance "
                    + (s.costCurrency == java.util.Currency.getInstance("EUR")) + ")");
            StringBuilder ev = new StringBuilder("app: events");
            for (EventObject e : s.events) {
                ev.append(' ').append(e instanceof JobEvent ? ((JobEvent) e).job + ":" + ((JobEvent) e).what : e.getClass().getSimpleName())
                        .append(e.getSource() == null ? "(source elsewhere)" : "(source here)");
            }
            System.out.println(ev);
            System.out.println("app: log '" + s.log + "'");
            StringBuilder h = new StringBuilder("app: history");
            for (java.util.Map.Entry<java.util.Date, String> e : s.history.entrySet()) {
                h.append(' ').append(e.getKey().getTime()).append('=').append(e.getValue());
            }
            System.out.println(h.append(" (by an equal key: ").append(s.history.get(new java.util.Date(1243807200000L))).append(')'));
            Throwable f = s.lastFailure;
            if (f != null) {
                System.out.println("app: last failure " + f + " attempt " + ((JobFailedException) f).attempt + " at " + top(f));
                System.out.println("app: caused by " + f.getCause() + " at " + top(f.getCause()) + ", caused by " + f.getCause().getCause()
                        + ", suppressed " + java.util.Arrays.toString(f.getCause().getSuppressed()));
            }
        }
    }

    private static String top(Throwable t) {
        StackTraceElement e = t.getStackTrace()[0];
        return e.getClassName() + "." + e.getMethodName() + "(" + e.getFileName() + ")";
    }

    private static String upTo(String m, String end) {
        int i = m.indexOf(end);
        return i < 0 ? m : m.substring(0, i);
    }
}
