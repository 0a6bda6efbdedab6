package demo.pt;

/** A shared job ordered by priority (lowest first), equal by name and priority. */
public class Job implements Comparable<Job> {
    String name;
    int priority;

    Job(String name, int priority) {
        this.name = name;
        this.priority = priority;
    }

    @Override
    public int compareTo(Job o) {
        return Integer.compare(priority, o.priority);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Job && ((Job) o).name.equals(name) && ((Job) o).priority == priority;
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + priority;
    }

    @Override
    public String toString() {
        return name + priority;
    }
}
