package dev.kiln.hzbench;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;

/**
 * The Hazelcast member of {@link HazelcastBench}, run in its own JVM: one member bound to
 * 127.0.0.1 on the given port, TCP-IP join with itself as the only member (multicast and
 * auto-detection off), no phone-home. Prints {@link #READY} on stdout once it serves, then runs
 * until its stdin closes (the bench closes it, or dies) or it is killed.
 *
 * <p>Usage: {@code HazelcastMember <port> <cluster-name>}.
 */
public final class HazelcastMember {
    static final String READY = "HZBENCH-MEMBER-READY";

    private HazelcastMember() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String clusterName = args[1];
        Config cfg = new Config();
        cfg.setClusterName(clusterName);
        cfg.setProperty("hazelcast.phone.home.enabled", "false");
        cfg.setProperty("hazelcast.socket.bind.any", "false");
        cfg.setProperty("hazelcast.shutdownhook.policy", "TERMINATE");
        NetworkConfig net = cfg.getNetworkConfig();
        net.setPort(port).setPortAutoIncrement(false);
        net.setPublicAddress("127.0.0.1:" + port);
        net.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
        JoinConfig join = net.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        join.getTcpIpConfig().setEnabled(true).addMember("127.0.0.1:" + port);
        HazelcastInstance hz = Hazelcast.newHazelcastInstance(cfg);
        hz.getMap("bench"); // create the map's partitions' record stores up front
        System.out.println(READY + " " + hz.getCluster().getLocalMember().getAddress());
        System.out.flush();
        try {
            // Parent gone or done: stdin reaches EOF.
            while (System.in.read() >= 0) {
                // ignore input
            }
        } finally {
            hz.getLifecycleService().terminate();
        }
        System.exit(0);
    }
}
