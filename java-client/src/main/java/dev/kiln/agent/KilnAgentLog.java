package dev.kiln.agent;

import java.io.PrintStream;

/** The agent's stderr reporting: one line per event, never throwing. */
final class KilnAgentLog {
    private KilnAgentLog() {}

    static void report(String line) {
        try {
            PrintStream err = System.err;
            err.println(line);
            err.flush();
        } catch (Throwable ignored) {
            // stderr closed: nothing more the agent can do without disturbing the application
        }
    }
}
