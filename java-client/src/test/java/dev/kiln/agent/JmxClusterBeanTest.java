package dev.kiln.agent;

import static org.junit.Assert.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.Test;

/**
 * examples/jmx-cluster-bean: the Terracotta 2.x cluster bean
 * ({@code org.terracotta:type=Terracotta Cluster,name=Terracotta Cluster Bean}) in the MBean server
 * a program finds with {@code -Dcom.sun.management.jmxremote} and in the platform server a
 * program creates: its node id, and a second JVM's connect and disconnect notifications.
 */
public class JmxClusterBeanTest extends ExampleTestBase {
    @Override
    protected String exampleName() {
        return "jmx-cluster-bean";
    }

    @Override
    protected String mainClass() {
        return "demo.jmx.Main";
    }

    private void watch(String mode) throws Exception {
        Process w = start(mode);
        awaitOutput(w, ".out", "app: node ");
        childEnv.remove("JAVA_TOOL_OPTIONS");
        String id = runApp("id");
        Matcher m = Pattern.compile("app: node (ClientID\\[\\d+\\])").matcher(id);
        assertTrue(id, m.matches());
        String watched = finish(w);
        assertTrue(watched, watched.matches("(?s)app: node ClientID\\[\\d+\\] connected true\n.*"));
        assertTrue(watched, watched.contains("app: com.tc.cluster.event.nodeConnected " + m.group(1)));
        assertTrue(watched, watched.contains("app: com.tc.cluster.event.nodeDisconnected " + m.group(1)));
    }

    @Test
    public void theBeanIsInTheServerAProgramFindsWithJmxRemote() throws Exception {
        childEnv.put("JAVA_TOOL_OPTIONS", "-Dcom.sun.management.jmxremote");
        watch("watch-find");
    }

    @Test
    public void theBeanIsInThePlatformServerAProgramCreates() throws Exception {
        watch("watch-platform");
    }
}
