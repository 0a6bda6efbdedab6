package dev.kiln.agent;

import dev.kiln.internal.NativeLoader;

import java.io.File;
import java.lang.instrument.Instrumentation;

/**
 * Installs the transparent-clustering class transformer when the configuration is a
 * tc-config.xml with an {@code <application><dso>} section. See docs/agent.md.
 */
final class Transparent {
    private Transparent() {}

    /**
     * Parses the configuration natively and installs {@link KilnTransformer}. Returns the text the
     * agent's start line gets ({@code "; instruments ..."}), or "" when there is nothing to do.
     * Never throws: a bad configuration is reported in the returned text and nothing is installed.
     */
    static String install(String spec, Instrumentation inst) {
        if (spec == null || inst == null || !new File(spec).isFile()) {
            return "";
        }
        try {
            NativeLoader.load();
            ClassRules rules = ClassRules.load(spec);
            if (!rules.hasRules()) {
                return "";
            }
            inst.addTransformer(new KilnTransformer(rules), false);
            return "; instrumenting per " + spec + " <application> (" + rules.summary() + ")";
        } catch (Throwable t) {
            String m = t.getMessage();
            return "; NOT instrumenting: " + (m == null ? t.toString() : m);
        }
    }
}
