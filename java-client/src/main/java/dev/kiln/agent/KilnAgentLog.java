package dev.kiln.agent;

import java.io.File;
import java.io.FileOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;

/**
 * The agent's reporting: one line per event on stderr and, when the configuration has
 * {@code <clients><logs>}, appended (with a time stamp) to {@code kiln-client.log} in that
 * directory. Never throws.
 */
final class KilnAgentLog {
    /** The log file's name in the {@code <clients><logs>} directory. */
    static final String FILE_NAME = "kiln-client.log";

    private static volatile Writer file;
    private static volatile String filePath;

    private KilnAgentLog() {}

    /**
     * Also writes to {@code dir/kiln-client.log} from now on (the directory is created). Returns
     * null, or why the file cannot be used (reported by the caller on its line).
     */
    static synchronized String logTo(String dir) {
        try {
            File d = new File(dir);
            if (!d.isDirectory() && !d.mkdirs() && !d.isDirectory()) {
                return "cannot create the <clients><logs> directory " + d;
            }
            File f = new File(d, FILE_NAME);
            file = new OutputStreamWriter(new FileOutputStream(f, true), StandardCharsets.UTF_8);
            filePath = f.getPath();
            return null;
        } catch (Exception | Error e) {
            return "cannot write the <clients><logs> file in " + dir + ": " + e;
        }
    }

    /** The log file written to, or null. */
    static String filePath() {
        return filePath;
    }

    static void report(String line) {
        try {
            PrintStream err = System.err;
            err.println(line);
            err.flush();
        } catch (Throwable ignored) {
            // stderr closed: nothing more the agent can do without disturbing the application
        }
        Writer w = file;
        if (w != null) {
            try {
                synchronized (KilnAgentLog.class) {
                    w.write(OffsetDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + " " + line
                            + System.lineSeparator());
                    w.flush();
                }
            } catch (Throwable ignored) {
                // a full disk must not stop the application
            }
        }
    }
}
