package dev.kiln.agent;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/** KilnAgent's choice of configuration, in this JVM (the child-JVM runs are in ChildJvmTest). */
public class KilnAgentTest {
    private String kilnConfig;
    private String tcConfig;

    @Before
    public void saveProperties() {
        kilnConfig = System.getProperty("kiln.config");
        tcConfig = System.getProperty("tc.config");
        System.clearProperty("kiln.config");
        System.clearProperty("tc.config");
    }

    @After
    public void restoreProperties() {
        restore("kiln.config", kilnConfig);
        restore("tc.config", tcConfig);
    }

    private static void restore(String name, String value) {
        if (value == null) {
            System.clearProperty(name);
        } else {
            System.setProperty(name, value);
        }
    }

    @Test
    public void theAgentArgumentWinsThenKilnConfigThenTcConfig() {
        assertNull(KilnAgent.configSpec(null));
        assertNull(KilnAgent.configSpec("  "));
        System.setProperty("tc.config", "/etc/tc-config.xml");
        assertEquals("/etc/tc-config.xml", KilnAgent.configSpec(null));
        System.setProperty("kiln.config", "a:9510,b:9510");
        assertEquals("a:9510,b:9510", KilnAgent.configSpec(""));
        assertEquals("localhost:9510", KilnAgent.configSpec(" localhost:9510 "));
    }

    @Test
    public void noConfigurationMeansOneLineAndNoConnection() {
        assertEquals("kiln: no -Dkiln.config/-Dtc.config and no agent argument: not connecting",
                KilnAgent.start(null, null));
    }
}
