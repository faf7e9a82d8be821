package dev.hookyard.app;

import dev.hookyard.common.testing.Ports;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.KubernetesConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.hookyard.common.config.HookyardConfig;
import io.vertx.core.eventbus.EventBusOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The Hazelcast and event-bus settings ClusterSetup derives, and one DNS-discovery join on loopback. */
class ClusterSetupTest {

  @Test
  @DisplayName("Without a discovery DNS name, members are joined over TCP-IP: the configured list, else the host itself")
  void tcpIpByDefault() {
    Config hz = ClusterSetup.hazelcastConfig(HookyardConfig.from(Map.of(
      HookyardConfig.CLUSTER_HOST, "10.1.2.3",
      HookyardConfig.CLUSTER_MEMBERS, "10.1.2.3, 10.1.2.4")));
    JoinConfig join = hz.getNetworkConfig().getJoin();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("10.1.2.3", "10.1.2.4");
    assertThat(join.getKubernetesConfig().isEnabled()).isFalse();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    NetworkConfig network = hz.getNetworkConfig();
    assertThat(network.getPort()).isEqualTo(5701);
    assertThat(network.isPortAutoIncrement()).isTrue();
    assertThat(network.getInterfaces().getInterfaces()).containsExactly("10.1.2.3");

    Config alone = ClusterSetup.hazelcastConfig(HookyardConfig.from(Map.of()));
    assertThat(alone.getNetworkConfig().getJoin().getTcpIpConfig().getMembers()).containsExactly("127.0.0.1");
    assertThat(alone.getClusterName()).isEqualTo("hookyard");
  }

  @Test
  @DisplayName("With HOOKYARD_CLUSTER_KUBERNETES_DNS, TCP-IP is off and Kubernetes discovery looks the name up in DNS on the cluster port")
  void kubernetesDnsLookup() {
    Config hz = ClusterSetup.hazelcastConfig(HookyardConfig.from(Map.of(
      HookyardConfig.CLUSTER_HOST, "10.1.2.3",
      HookyardConfig.CLUSTER_PORT, "5801",
      HookyardConfig.CLUSTER_MEMBERS, "ignored-when-dns-is-set",
      HookyardConfig.CLUSTER_KUBERNETES_DNS, "hookyard-cluster.hookyard.svc.cluster.local",
      "HOOKYARD_CLUSTER_NAME", "prod")));
    JoinConfig join = hz.getNetworkConfig().getJoin();
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    KubernetesConfig kubernetes = join.getKubernetesConfig();
    assertThat(kubernetes.isEnabled()).isTrue();
    // DNS-lookup mode: only service-dns (and its port); nothing that would call the API.
    assertThat(kubernetes.getProperties()).containsOnly(
      Map.entry("service-dns", "hookyard-cluster.hookyard.svc.cluster.local"),
      Map.entry("service-port", "5801"));
    assertThat(hz.getNetworkConfig().getPort()).isEqualTo(5801);
    assertThat(hz.getNetworkConfig().isPortAutoIncrement()).isFalse();
    assertThat(hz.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("10.1.2.3");
    assertThat(hz.getClusterName()).isEqualTo("prod");
    // Hazelcast accepts the combination (it rejects two enabled join methods).
    join.verify();
    // A zero wait would skip discovery on the first join (each process alone in a cluster).
    assertThat(hz.getProperty("hazelcast.wait.seconds.before.join")).isNotEqualTo("0");
  }

  @Test
  @DisplayName("Two members configured for DNS discovery find each other through the name's addresses (localhost for a headless Service)")
  void kubernetesDnsLookupJoins() throws Exception {
    int firstPort = Ports.freePort();
    int secondPort = Ports.freePort();
    String cluster = "hookyard-dns-" + UUID.randomUUID();
    HazelcastInstance first = Hazelcast.newHazelcastInstance(ClusterSetup.hazelcastConfig(dns(firstPort, cluster)));
    try {
      // Pods share one port on different IPs; on one loopback address the second member
      // needs a port of its own, and is told to look for the first one's.
      Config secondConfig = ClusterSetup.hazelcastConfig(dns(secondPort, cluster));
      secondConfig.getNetworkConfig().getJoin().getKubernetesConfig().setProperty("service-port", String.valueOf(firstPort));
      HazelcastInstance second = Hazelcast.newHazelcastInstance(secondConfig);
      try {
        assertThat(second.getCluster().getMembers()).hasSize(2);
        assertThat(first.getCluster().getMembers()).hasSize(2);
      } finally {
        second.getLifecycleService().terminate();
      }
    } finally {
      first.getLifecycleService().terminate();
    }
  }

  private static HookyardConfig dns(int port, String cluster) {
    return HookyardConfig.from(Map.of(
      HookyardConfig.CLUSTER_HOST, "127.0.0.1",
      HookyardConfig.CLUSTER_PORT, String.valueOf(port),
      HookyardConfig.CLUSTER_KUBERNETES_DNS, "localhost",
      "HOOKYARD_CLUSTER_NAME", cluster));
  }

  @Test
  @DisplayName("The event bus binds the cluster host, on HOOKYARD_EVENTBUS_PORT when set and a random port otherwise")
  void eventBusPort() {
    EventBusOptions pinned = ClusterSetup.eventBusOptions(HookyardConfig.from(Map.of(
      HookyardConfig.CLUSTER_HOST, "10.1.2.3", HookyardConfig.EVENTBUS_PORT, "5710")));
    assertThat(pinned.getHost()).isEqualTo("10.1.2.3");
    assertThat(pinned.getClusterPublicHost()).isEqualTo("10.1.2.3");
    assertThat(pinned.getPort()).isEqualTo(5710);

    assertThat(ClusterSetup.eventBusOptions(HookyardConfig.from(Map.of())).getPort()).isZero();
  }
}
