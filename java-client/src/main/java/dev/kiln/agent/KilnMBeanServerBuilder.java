package dev.kiln.agent;

import javax.management.MBeanServer;
import javax.management.MBeanServerBuilder;
import javax.management.MBeanServerDelegate;

/**
 * The JDK's MBean server builder, plus the Terracotta cluster bean ({@link ClusterBean}) in every
 * MBean server it builds (the platform one included). Installed by the agent as
 * {@code javax.management.builder.initial} when the program did not name a builder itself.
 */
public class KilnMBeanServerBuilder extends MBeanServerBuilder {
    @Override
    public MBeanServer newMBeanServer(String defaultDomain, MBeanServer outer, MBeanServerDelegate delegate) {
        MBeanServer s = super.newMBeanServer(defaultDomain, outer, delegate);
        ClusterBean.register(outer != null ? outer : s);
        return s;
    }
}
