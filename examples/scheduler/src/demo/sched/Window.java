package demo.sched;

import java.time.DayOfWeek;
import java.util.EnumSet;

/** A field declared EnumSet: the agent cannot store its shared copy there (refused, with the fix). */
public class Window {
    final EnumSet<DayOfWeek> days = EnumSet.allOf(DayOfWeek.class);
}
