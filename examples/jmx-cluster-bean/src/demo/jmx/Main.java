package demo.jmx;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.Notification;
import javax.management.NotificationListener;
import javax.management.ObjectName;

/**
 * A Terracotta 2.x-era program's cluster membership through JMX (as the original sharedqueue
 * demo did it): the Terracotta cluster bean's {@code NodeId} and its
 * {@code com.tc.cluster.event.nodeConnected/nodeDisconnected} notifications.
 * <pre>
 *   run.sh watch-find        # with -Dcom.sun.management.jmxremote: the first MBean server found
 *   run.sh watch-platform    # the platform MBean server, created by the program
 *   run.sh id                # prints its node id and exits (watchers see it come and go)
 * </pre>
 */
public class Main {
    static final String BEAN = "org.terracotta:type=Terracotta Cluster,name=Terracotta Cluster Bean";

    public static void main(String[] args) throws Exception {
        MBeanServer server;
        if (args[0].equals("watch-find")) {
            List<MBeanServer> found = MBeanServerFactory.findMBeanServer(null);
            if (found.isEmpty()) {
                System.out.println("app: no MBean server");
                return;
            }
            server = found.get(0);
        } else {
            server = ManagementFactory.getPlatformMBeanServer();
        }
        ObjectName bean = new ObjectName(BEAN);
        long end = System.currentTimeMillis() + 30_000;
        while (!server.isRegistered(bean) && System.currentTimeMillis() < end) {
            Thread.sleep(20); // the agent registers it in the servers that exist at its start
        }
        String me = String.valueOf(server.getAttribute(bean, "NodeId"));
        if (args[0].equals("id")) {
            System.out.println("app: node " + me);
            return;
        }
        LinkedBlockingQueue<String> events = new LinkedBlockingQueue<>();
        NotificationListener l = (Notification n, Object handback) -> events.add(n.getType() + " " + n.getMessage());
        server.addNotificationListener(bean, l, null, null);
        System.out.println("app: node " + me + " connected " + server.getAttribute(bean, "Connected"));
        boolean joined = false;
        while (System.currentTimeMillis() < end + 30_000) {
            String e = events.poll(100, TimeUnit.MILLISECONDS);
            if (e == null) {
                continue;
            }
            System.out.println("app: " + e);
            if (e.startsWith("com.tc.cluster.event.nodeConnected ")) {
                joined = true;
            } else if (joined && e.startsWith("com.tc.cluster.event.nodeDisconnected ")) {
                return;
            }
        }
        System.out.println("app: timed out");
    }
}
