package demo.sched;

/** The application's own exception: its field and Throwable's state (message, cause, stack trace) are shared. */
public class JobFailedException extends Exception {
    final int attempt;

    JobFailedException(String job, int attempt, Throwable cause) {
        super("job " + job + " failed (attempt " + attempt + ")", cause);
        this.attempt = attempt;
    }
}
