package demo.sched;

import java.util.EventObject;

/** What happened to a job: an application EventObject (its source stays with the JVM that fired it). */
public class JobEvent extends EventObject {
    final String job;
    final String what;

    JobEvent(Object source, String job, String what) {
        super(source);
        this.job = job;
        this.what = what;
    }
}
