package io.zto.deploy;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.vertx.core.spi.cluster.NodeListener;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import io.zto.shared.config.ClusterConfig;

/**
 * The Hazelcast cluster manager for {@code cluster.enabled}: TCP-IP join with the configured members,
 * multicast and auto-detection off (they reach beyond the machine and are rarely allowed in plants).
 */
final class Clustering {

  private static final Logger LOG = LoggerFactory.getLogger(Clustering.class);

  private Clustering() {}

  static HazelcastClusterManager clusterManager(ClusterConfig cluster) {
    Config hz = new Config();
    hz.setClusterName(cluster.name());
    hz.setProperty("hazelcast.logging.type", "slf4j");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.getNetworkConfig().setPort(cluster.port()).setPortAutoIncrement(true);
    hz.getNetworkConfig().getInterfaces().setEnabled(true).addInterface(cluster.host());
    JoinConfig join = hz.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true);
    cluster.memberAddresses().forEach(member -> join.getTcpIpConfig().addMember(member.host() + ":" + member.port()));
    if (cluster.memberAddresses().isEmpty()) {
      join.getTcpIpConfig().addMember(cluster.host());
    }
    HazelcastClusterManager manager = new HazelcastClusterManager(hz);
    manager.nodeListener(new NodeListener() {
      @Override
      public void nodeAdded(String nodeId) {
        LOG.info("cluster member joined: {} ({} members)", nodeId, manager.getNodes().size());
      }

      @Override
      public void nodeLeft(String nodeId) {
        LOG.info("cluster member left: {} ({} members)", nodeId, manager.getNodes().size());
      }
    });
    return manager;
  }
}
