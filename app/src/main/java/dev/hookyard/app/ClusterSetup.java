package dev.hookyard.app;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import dev.hookyard.common.config.HookyardConfig;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * Hazelcast for the clustered event bus: no multicast, no auto-detection, nothing bound
 * but the configured host. Members are found over TCP-IP (the configured members,
 * loopback by default) or, with {@code HOOKYARD_CLUSTER_KUBERNETES_DNS}, by Hazelcast's
 * Kubernetes discovery in DNS-lookup mode: every address of that name (a headless
 * Service) is a member, which needs no Kubernetes API access.
 */
final class ClusterSetup {

  private static final Logger log = LoggerFactory.getLogger(ClusterSetup.class);

  static HazelcastClusterManager clusterManager(HookyardConfig config) {
    Config hz = hazelcastConfig(config);
    JoinConfig join = hz.getNetworkConfig().getJoin();
    log.info("Joining the cluster {} ({}; waiting up to 60 s)", hz.getClusterName(), join.getKubernetesConfig().isEnabled()
      ? "members: the addresses of " + join.getKubernetesConfig().getProperty("service-dns")
      : "members: " + join.getTcpIpConfig().getMembers());
    return new HazelcastClusterManager(hz);
  }

  static Config hazelcastConfig(HookyardConfig config) {
    String host = host(config);
    int port = config.integer(HookyardConfig.CLUSTER_PORT, HookyardConfig.DEFAULT_CLUSTER_PORT);
    String serviceDns = config.string(HookyardConfig.CLUSTER_KUBERNETES_DNS, null);
    Config hz = ConfigUtil.loadConfig(); // keeps Vert.x's __vertx.* map definitions
    hz.setClusterName(config.string(HookyardConfig.CLUSTER_NAME, HookyardConfig.DEFAULT_CLUSTER_NAME));
    // TCP-IP joins at once. With discovery, this wait is how long the first join keeps
    // looking the members up: at 0 it would not look at all, and every process would start
    // a cluster of its own. Only a process that finds no one else waits it out.
    hz.setProperty("hazelcast.wait.seconds.before.join", serviceDns == null ? "0" : "2");
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.logging.type", "slf4j");
    hz.setProperty("hazelcast.shutdownhook.enabled", "false");
    // A member silent this long is dropped; the survivors take over its event-bus addresses.
    int heartbeatTimeout = Math.max(2, config.integer(HookyardConfig.CLUSTER_HEARTBEAT_TIMEOUT_SECONDS, HookyardConfig.DEFAULT_CLUSTER_HEARTBEAT_TIMEOUT_SECONDS));
    hz.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(heartbeatTimeout));
    hz.setProperty("hazelcast.heartbeat.interval.seconds", String.valueOf(Math.min(5, Math.max(1, heartbeatTimeout / 6))));
    // A dropped process that comes back (it was frozen, or its network was cut) is a
    // cluster of its own: Hazelcast's split-brain check merges it back into the larger
    // cluster, and Vert.x republishes its consumers on the MERGED event. Its defaults
    // (300 s, then every 120 s) would leave it deaf to wake-ups for minutes.
    String mergeDelay = String.valueOf(Math.max(1, config.integer(HookyardConfig.CLUSTER_MERGE_DELAY_SECONDS, HookyardConfig.DEFAULT_CLUSTER_MERGE_DELAY_SECONDS)));
    hz.setProperty("hazelcast.merge.first.run.delay.seconds", mergeDelay);
    hz.setProperty("hazelcast.merge.next.run.delay.seconds", mergeDelay);
    NetworkConfig network = hz.getNetworkConfig();
    // DNS discovery knows one port per address, so a member must not drift to another.
    network.setPort(port).setPortAutoIncrement(serviceDns == null);
    network.getInterfaces().setEnabled(true).addInterface(host);
    network.setPublicAddress(null);
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (serviceDns == null) {
      List<String> members = config.list(HookyardConfig.CLUSTER_MEMBERS);
      join.getTcpIpConfig().setEnabled(true).setMembers(members.isEmpty() ? List.of(host) : members);
    } else {
      join.getTcpIpConfig().setEnabled(false);
      join.getKubernetesConfig().setEnabled(true)
        .setProperty("service-dns", serviceDns)
        .setProperty("service-port", String.valueOf(port));
    }
    return hz;
  }

  static EventBusOptions eventBusOptions(HookyardConfig config) {
    String host = host(config);
    return new EventBusOptions().setHost(host).setClusterPublicHost(host)
      .setPort(config.integer(HookyardConfig.EVENTBUS_PORT, HookyardConfig.DEFAULT_EVENTBUS_PORT));
  }

  private static String host(HookyardConfig config) {
    return config.string(HookyardConfig.CLUSTER_HOST, HookyardConfig.DEFAULT_CLUSTER_HOST);
  }

  private ClusterSetup() {
  }
}
