package demo.sched;

import java.util.GregorianCalendar;

/** A nightly job: its name, its slot in the scheduler's done-bits, when it is due next. */
public class Job {
    final String name;
    final int slot;
    final GregorianCalendar due;

    Job(String name, int slot, GregorianCalendar due) {
        this.name = name;
        this.slot = slot;
        this.due = due;
    }
}
