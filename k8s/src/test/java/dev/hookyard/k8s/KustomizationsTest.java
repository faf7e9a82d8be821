package dev.hookyard.k8s;

import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.metrics.HookyardMetrics;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.micrometer.core.instrument.Meter;
import io.micrometer.prometheusmetrics.PrometheusNamingConvention;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Renders k8s/base and every overlay with {@code kubectl kustomize}, reads every document
 * into fabric8's typed models (failing on unknown fields), and checks the rules the
 * deployment depends on.
 */
class KustomizationsTest {

  private static final String NAME_LABEL = "app.kubernetes.io/name";
  private static final String COMPONENT_LABEL = "app.kubernetes.io/component";
  private static final List<String> ROLES = List.of("gateway", "processors", "scheduler");
  private static final String DB_SECRET = "hookyard-db";

  /** Per role: environment variable -> Secret/key. Nothing else may come from a Secret. */
  private static final Map<String, Map<String, String>> SECRETS = Map.of(
    "gateway", Map.of(
      HookyardConfig.DB_URL, DB_SECRET + "/url",
      HookyardConfig.WEBHOOK_SECRETS, "hookyard-gateway/webhook-secrets",
      HookyardConfig.ADMIN_TOKEN, "hookyard-gateway/admin-token",
      HookyardConfig.SENTRY_SECRET, "hookyard-gateway/sentry-secret",
      HookyardConfig.LOKI_TOKEN, "hookyard-gateway/loki-token"),
    "processors", Map.of(
      HookyardConfig.DB_URL, DB_SECRET + "/url",
      HookyardConfig.GITHUB_TOKEN, "hookyard-processors/github-token",
      HookyardConfig.GITHUB_APP_ID, "hookyard-processors/github-app-id",
      HookyardConfig.GITHUB_APP_PRIVATE_KEY, "hookyard-processors/github-app-private-key",
      HookyardConfig.AI_KEY, "hookyard-processors/ai-key"),
    "scheduler", Map.of(
      HookyardConfig.DB_URL, DB_SECRET + "/url",
      HookyardConfig.GITHUB_APP_ID, "hookyard-scheduler/github-app-id",
      HookyardConfig.GITHUB_APP_PRIVATE_KEY, "hookyard-scheduler/github-app-private-key"));
  /** Without these a role must not start (the gateway would generate credentials per pod). */
  private static final Set<String> REQUIRED = Set.of(HookyardConfig.DB_URL, HookyardConfig.WEBHOOK_SECRETS,
    HookyardConfig.ADMIN_TOKEN);

  static List<Path> kustomizations() {
    return Kustomize.kustomizations();
  }

  /** One rendered kustomization: its resources and the unknown fields found in them. */
  record Rendered(Path dir, List<HasMetadata> resources, List<String> problems) {

    <T extends HasMetadata> List<T> all(Class<T> type) {
      return resources.stream().filter(type::isInstance).map(type::cast).toList();
    }

    <T extends HasMetadata> T named(Class<T> type, String name) {
      return all(type).stream().filter(r -> r.getMetadata().getName().equals(name)).findFirst()
        .orElseThrow(() -> new AssertionError(dir + ": no " + type.getSimpleName() + " " + name));
    }

    Deployment deployment(String role) {
      return named(Deployment.class, "hookyard-" + role);
    }

    Container container(String role) {
      List<Container> containers = deployment(role).getSpec().getTemplate().getSpec().getContainers();
      assertThat(containers).as("containers of %s", role).hasSize(1);
      return containers.get(0);
    }

    /** The generated ConfigMap every role reads its settings from. */
    ConfigMap settings() {
      List<ConfigMap> maps = all(ConfigMap.class).stream().filter(c -> c.getMetadata().getName().startsWith("hookyard-")).toList();
      assertThat(maps).as("%s: the generated ConfigMap hookyard-<hash>", dir).hasSize(1);
      return maps.get(0);
    }

    /** A setting as the role's container sees it: its own env over the ConfigMap. */
    String setting(String role, String key) {
      Container c = container(role);
      for (EnvVar e : c.getEnv()) {
        if (e.getName().equals(key) && e.getValue() != null) {
          return e.getValue();
        }
      }
      String configMap = settings().getMetadata().getName();
      boolean readsSettings = c.getEnvFrom().stream().map(EnvFromSource::getConfigMapRef)
        .anyMatch(r -> r != null && configMap.equals(r.getName()));
      return readsSettings ? settings().getData().get(key) : null;
    }

    int port(String role, String key, int fallback) {
      String value = setting(role, key);
      return value == null ? fallback : Integer.parseInt(value);
    }

    String namespace() {
      return resources.get(0).getMetadata().getNamespace();
    }
  }

  static Rendered render(Path dir) {
    StrictManifests.Parsed parsed = StrictManifests.parse(Kustomize.render(dir));
    return new Rendered(dir, parsed.resources(), parsed.problems());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kustomizations")
  @DisplayName("Renders, and every field of every document is one the typed Kubernetes models know")
  void rendersWithKnownFieldsOnly(Path dir) {
    Rendered rendered = render(dir);
    assertThat(rendered.problems()).as("%s: fields the Kubernetes API does not know", Kustomize.K8S.relativize(dir)).isEmpty();
    assertThat(rendered.all(Deployment.class)).hasSize(3);
    assertThat(rendered.resources()).allSatisfy(r ->
      assertThat(r.getMetadata().getLabels()).as("%s labels", r.getMetadata().getName()).containsEntry(NAME_LABEL, "hookyard"));
  }

  @Test
  @DisplayName("A misspelled field, a nested one and an unknown kind are each reported with their path")
  void misspelledFieldsAreReported() {
    StrictManifests.Parsed parsed = StrictManifests.parse("""
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: typo
      spec:
        replicass: 2
        selector:
          matchLabels: {app: typo}
        template:
          metadata:
            labels: {app: typo}
          spec:
            containers:
              - name: app
                image: app:1
                imagePullPolcy: Always
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: fine
      spec:
        ports: [{port: 80}]
      ---
      apiVersion: example.com/v1
      kind: Gadget
      metadata:
        name: gizmo
      """);
    assertThat(parsed.problems()).hasSize(3);
    assertThat(parsed.problems().get(0)).startsWith("Deployment/typo: unknown field spec.replicass ");
    assertThat(parsed.problems().get(1)).startsWith("Deployment/typo: unknown field spec.template.spec.containers[0].imagePullPolcy ");
    assertThat(parsed.problems().get(2)).contains("Gadget/gizmo").contains("no typed model");
    assertThat(parsed.resources()).extracting(r -> r.getMetadata().getName()).containsExactly("typo", "fine");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kustomizations")
  @DisplayName("Every role joins the cluster by DNS discovery on the headless Service, on pinned Hazelcast and event-bus ports")
  void clusterByDnsDiscovery(Path dir) {
    Rendered r = render(dir);
    Service headless = r.named(Service.class, "hookyard-cluster");
    assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
    assertThat(headless.getSpec().getPublishNotReadyAddresses()).isTrue();
    assertThat(headless.getSpec().getSelector()).isEqualTo(Map.of(NAME_LABEL, "hookyard"));
    for (String role : ROLES) {
      String dns = r.setting(role, HookyardConfig.CLUSTER_KUBERNETES_DNS);
      assertThat(dns).as("%s %s", role, HookyardConfig.CLUSTER_KUBERNETES_DNS).isNotNull();
      if (r.namespace() == null) {
        assertThat(dns).isEqualTo("hookyard-cluster");
      } else {
        assertThat(dns).isIn("hookyard-cluster", "hookyard-cluster." + r.namespace() + ".svc.cluster.local");
      }
      assertThat(r.setting(role, HookyardConfig.CLUSTER_MEMBERS)).as("no fixed member list").isNull();
      assertThat(r.setting(role, HookyardConfig.CLUSTER)).isEqualTo("true");
      assertThat(r.setting(role, HookyardConfig.ROLES)).isEqualTo(role);
      EnvVar host = r.container(role).getEnv().stream().filter(e -> e.getName().equals(HookyardConfig.CLUSTER_HOST))
        .findFirst().orElseThrow();
      assertThat(host.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP");
      Map<String, Integer> ports = containerPorts(r.container(role));
      assertThat(ports).containsEntry("hazelcast", r.port(role, HookyardConfig.CLUSTER_PORT, 5701));
      assertThat(r.setting(role, HookyardConfig.EVENTBUS_PORT)).as("a pinned event-bus port the NetworkPolicy can name").isNotNull();
      assertThat(ports).containsEntry("eventbus", r.port(role, HookyardConfig.EVENTBUS_PORT, 0));
      assertThat(ports).containsEntry("http", r.port(role, HookyardConfig.HTTP_PORT, HookyardConfig.DEFAULT_HTTP_PORT));
      // DNS-lookup discovery needs no Kubernetes API, so no token reaches the pod.
      assertThat(r.deployment(role).getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isFalse();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kustomizations")
  @DisplayName("Processors scale with an autoscaling/v2 HPA on CPU that owns their replica count; two schedulers; PDBs that can be met")
  void replicasAndAutoscaling(Path dir) throws Exception {
    Rendered r = render(dir);
    List<HorizontalPodAutoscaler> hpas = r.all(HorizontalPodAutoscaler.class);
    assertThat(hpas).hasSize(1);
    HorizontalPodAutoscaler hpa = hpas.get(0);
    assertThat(hpa.getApiVersion()).isEqualTo("autoscaling/v2");
    assertThat(hpa.getSpec().getScaleTargetRef().getApiVersion()).isEqualTo("apps/v1");
    assertThat(hpa.getSpec().getScaleTargetRef().getKind()).isEqualTo("Deployment");
    assertThat(hpa.getSpec().getScaleTargetRef().getName()).isEqualTo(r.deployment("processors").getMetadata().getName());
    assertThat(hpa.getSpec().getMinReplicas()).isGreaterThanOrEqualTo(2);
    assertThat(hpa.getSpec().getMaxReplicas()).isGreaterThan(hpa.getSpec().getMinReplicas());
    assertThat(hpa.getSpec().getMetrics()).anySatisfy(m -> {
      assertThat(m.getType()).isEqualTo("Resource");
      assertThat(m.getResource().getName()).isEqualTo("cpu");
      assertThat(m.getResource().getTarget().getType()).isEqualTo("Utilization");
    });
    List<MetricSpec> external = hpa.getSpec().getMetrics().stream().filter(m -> m.getType().equals("External")).toList();
    if (dir.getFileName().toString().equals("queue-depth-hpa")) {
      assertThat(external).hasSize(1);
    }
    for (MetricSpec m : external) {
      assertThat(m.getExternal().getMetric().getName()).as("the scheduler's queue-depth gauge, as Prometheus names it")
        .isEqualTo(queueDepthMetric());
      assertThat(m.getExternal().getTarget().getType()).isEqualTo("AverageValue");
    }
    // The HPA sets the count; a replicas field would reset it on every apply.
    assertThat(r.deployment("processors").getSpec().getReplicas()).isNull();
    assertThat(r.deployment("scheduler").getSpec().getReplicas()).isEqualTo(2);
    assertThat(r.deployment("gateway").getSpec().getReplicas()).isGreaterThanOrEqualTo(2);
    for (String role : ROLES) {
      PodDisruptionBudget pdb = r.named(PodDisruptionBudget.class, "hookyard-" + role);
      Integer replicas = role.equals("processors") ? hpa.getSpec().getMinReplicas() : r.deployment(role).getSpec().getReplicas();
      assertThat(pdb.getSpec().getMinAvailable().getIntVal()).isLessThan(replicas);
      assertThat(pdb.getSpec().getSelector().getMatchLabels())
        .isEqualTo(r.deployment(role).getSpec().getSelector().getMatchLabels());
    }
  }

  @Test
  @DisplayName("k8s/README.md gives the prometheus-adapter rule for the queue-depth metric")
  void adapterRuleDocumented() throws Exception {
    String readme = Files.readString(Kustomize.K8S.resolve("README.md"));
    assertThat(readme).contains("externalRules").contains(queueDepthMetric());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kustomizations")
  @DisplayName("Each role's Deployment reads only its own Secret keys (and the database URL), optional ones marked so")
  void secretsPerRole(Path dir) {
    Rendered r = render(dir);
    for (String role : ROLES) {
      Container c = r.container(role);
      assertThat(c.getEnvFrom()).as("%s: no whole Secret as environment", role).allSatisfy(e -> assertThat(e.getSecretRef()).isNull());
      PodSpec pod = r.deployment(role).getSpec().getTemplate().getSpec();
      assertThat(pod.getVolumes()).as("%s: no Secret volumes", role).allSatisfy(v -> {
        assertThat(v.getSecret()).isNull();
        assertThat(v.getProjected()).isNull();
      });
      Map<String, String> fromSecrets = new HashMap<>();
      for (EnvVar e : c.getEnv()) {
        SecretKeySelector ref = e.getValueFrom() == null ? null : e.getValueFrom().getSecretKeyRef();
        if (ref == null) {
          continue;
        }
        fromSecrets.put(e.getName(), ref.getName() + "/" + ref.getKey());
        boolean optional = Boolean.TRUE.equals(ref.getOptional());
        assertThat(optional).as("%s %s optional", role, e.getName()).isEqualTo(!REQUIRED.contains(e.getName()));
        assertThat(ref.getName()).as("%s reads %s", role, e.getName()).isIn(DB_SECRET, "hookyard-" + role);
      }
      assertThat(fromSecrets).as("%s: environment from Secrets", role).isEqualTo(SECRETS.get(role));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kustomizations")
  @DisplayName("Requests and limits everywhere, the heap sized from the limit by the image's entrypoint, non-root, and time to drain")
  void resourcesUserAndShutdown(Path dir) throws Exception {
    Rendered r = render(dir);
    List<String> entrypoint = DockerfileTest.DOCKERFILE.last("ENTRYPOINT").words();
    for (String role : ROLES) {
      PodSpec pod = r.deployment(role).getSpec().getTemplate().getSpec();
      for (Container c : pod.getContainers()) {
        Map<String, Quantity> requests = c.getResources().getRequests();
        Map<String, Quantity> limits = c.getResources().getLimits();
        assertThat(requests).as("%s requests", role).containsKeys("cpu", "memory");
        assertThat(limits).as("%s limits", role).containsKeys("cpu", "memory");
        assertThat(Quantity.getAmountInBytes(requests.get("memory")))
          .isLessThanOrEqualTo(Quantity.getAmountInBytes(limits.get("memory")));
        assertThat(Quantity.getAmountInBytes(requests.get("cpu")))
          .isLessThanOrEqualTo(Quantity.getAmountInBytes(limits.get("cpu")));
        // The command that runs: the image's ENTRYPOINT unless the manifest overrides it.
        List<String> command = c.getCommand().isEmpty() ? entrypoint : c.getCommand();
        assertThat(c.getArgs()).as("%s: no arguments appended to the java command", role).isEmpty();
        assertThat(command).as("%s runs the image's jar", role).containsSubsequence("-jar", DockerfileTest.jarInImage());
        Double percentage = DockerfileTest.memoryPercentage(command);
        String toolOptions = c.getEnv().stream().filter(e -> e.getName().equals("JAVA_TOOL_OPTIONS"))
          .map(EnvVar::getValue).filter(Objects::nonNull).findFirst().orElse(null);
        if (toolOptions != null) {
          Double fromEnv = DockerfileTest.memoryPercentage(List.of(toolOptions.split("\\s+")));
          percentage = fromEnv != null && percentage == null ? fromEnv : percentage;
        }
        assertThat(percentage).as("%s: -XX:MaxRAMPercentage in effect", role).isNotNull();
        String image = c.getImage().split("@")[0];
        String repository = image.lastIndexOf(':') > image.lastIndexOf('/') ? image.substring(0, image.lastIndexOf(':')) : image;
        assertThat(repository.substring(repository.lastIndexOf('/') + 1)).as("%s image", role).isEqualTo("hookyard");
        assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(c.getSecurityContext().getRunAsUser()).as("no container-level user override").isNull();
        assertThat(c.getSecurityContext().getRunAsNonRoot()).as("no container-level override").isNotEqualTo(Boolean.FALSE);
        // Probes on the port the image exposes and the process listens on.
        assertThat(c.getStartupProbe().getHttpGet().getPort()).isEqualTo(new IntOrString("http"));
        assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/ready");
      }
      assertThat(pod.getSecurityContext().getRunAsNonRoot()).as("%s runAsNonRoot", role).isTrue();
      assertThat(pod.getSecurityContext().getRunAsUser()).as("%s: the image's USER", role)
        .isEqualTo((long) DockerfileTest.userId());
      long graceMs = Long.parseLong(Objects.requireNonNullElse(r.setting(role, HookyardConfig.SHUTDOWN_GRACE_MS),
        String.valueOf(HookyardConfig.DEFAULT_SHUTDOWN_GRACE_MS)));
      long preStopSeconds = 0;
      Container c = r.container(role);
      if (c.getLifecycle() != null && c.getLifecycle().getPreStop() != null) {
        List<String> preStop = c.getLifecycle().getPreStop().getExec().getCommand();
        assertThat(preStop).as("%s preStop is a pause", role).hasSize(2).startsWith("sleep");
        preStopSeconds = Long.parseLong(preStop.get(1));
      }
      assertThat(pod.getTerminationGracePeriodSeconds() * 1000)
        .as("%s: terminationGracePeriodSeconds beyond preStop (%d s) + %s (%d ms)", role, preStopSeconds,
          HookyardConfig.SHUTDOWN_GRACE_MS, graceMs)
        .isGreaterThan(preStopSeconds * 1000 + graceMs);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("kustomizations")
  @DisplayName("NetworkPolicies: HTTP into the gateway, cluster ports between hookyard pods only, DNS, PostgreSQL, HTTPS only for processors and scheduler")
  void networkPolicies(Path dir) {
    Rendered r = render(dir);
    List<NetworkPolicy> policies = r.all(NetworkPolicy.class);
    assertThat(policies).isNotEmpty();
    Peer internet = Peer.external("203.0.113.7");
    Peer prometheus = Peer.pod(false, Map.of("app.kubernetes.io/name", "prometheus"));
    Peer kubeDns = Peer.pod(false, Map.of("k8s-app", "kube-dns"));
    for (String role : ROLES) {
      Map<String, String> labels = r.deployment(role).getSpec().getTemplate().getMetadata().getLabels();
      int http = r.port(role, HookyardConfig.HTTP_PORT, HookyardConfig.DEFAULT_HTTP_PORT);
      int hazelcast = r.port(role, HookyardConfig.CLUSTER_PORT, 5701);
      int eventBus = r.port(role, HookyardConfig.EVENTBUS_PORT, 0);
      Traffic t = new Traffic(policies, labels);
      assertThat(t.isolated("Ingress")).as("%s ingress isolated", role).isTrue();
      assertThat(t.isolated("Egress")).as("%s egress isolated", role).isTrue();

      assertThat(t.ingress(internet, "TCP", http)).as("%s: HTTP from outside", role).isEqualTo(role.equals("gateway"));
      assertThat(t.ingress(prometheus, "TCP", http)).as("%s: /metrics from inside the cluster", role).isTrue();
      for (String peerRole : ROLES) {
        Peer peer = Peer.pod(true, r.deployment(peerRole).getSpec().getTemplate().getMetadata().getLabels());
        for (int port : List.of(hazelcast, eventBus)) {
          assertThat(t.ingress(peer, "TCP", port)).as("%s: port %d from %s", role, port, peerRole).isTrue();
          assertThat(t.egress(peer, "TCP", port)).as("%s: port %d to %s", role, port, peerRole).isTrue();
        }
      }
      for (int port : List.of(hazelcast, eventBus)) {
        assertThat(t.ingress(internet, "TCP", port)).as("%s: port %d from outside", role, port).isFalse();
        assertThat(t.ingress(prometheus, "TCP", port)).as("%s: port %d from a foreign pod", role, port).isFalse();
        assertThat(t.egress(internet, "TCP", port)).as("%s: port %d to outside", role, port).isFalse();
      }
      assertThat(t.egress(kubeDns, "UDP", 53)).as("%s: DNS", role).isTrue();
      assertThat(t.egress(kubeDns, "TCP", 53)).as("%s: DNS over TCP", role).isTrue();
      assertThat(t.egressPortOpen("TCP", 5432)).as("%s: PostgreSQL", role).isTrue();
      assertThat(t.egress(internet, "TCP", 443)).as("%s: HTTPS out", role).isEqualTo(!role.equals("gateway"));
      assertThat(t.egress(internet, "TCP", 80)).as("%s: plain HTTP out", role).isFalse();
      assertThat(t.egress(internet, "TCP", 22)).as("%s: SSH out", role).isFalse();
    }
  }

  /** A peer of a pod: an address outside the cluster, or a pod (in the same namespace or not). */
  record Peer(String ip, boolean sameNamespace, Map<String, String> labels) {

    static Peer external(String ip) {
      return new Peer(ip, false, null);
    }

    static Peer pod(boolean sameNamespace, Map<String, String> labels) {
      return new Peer(null, sameNamespace, labels);
    }
  }

  /** What the NetworkPolicies selecting one pod let through. */
  record Traffic(List<NetworkPolicy> all, Map<String, String> podLabels) {

    List<NetworkPolicy> selecting(String direction) {
      return all.stream().filter(p -> matches(p.getSpec().getPodSelector(), podLabels))
        .filter(p -> types(p).contains(direction)).toList();
    }

    boolean isolated(String direction) {
      return !selecting(direction).isEmpty();
    }

    boolean ingress(Peer peer, String protocol, int port) {
      return selecting("Ingress").stream().flatMap(p -> p.getSpec().getIngress().stream())
        .anyMatch(rule -> peers(rule.getFrom(), peer) && ports(rule.getPorts(), protocol, port));
    }

    boolean egress(Peer peer, String protocol, int port) {
      return selecting("Egress").stream().flatMap(p -> p.getSpec().getEgress().stream())
        .anyMatch(rule -> peers(rule.getTo(), peer) && ports(rule.getPorts(), protocol, port));
    }

    /** Some destination is allowed on this port. */
    boolean egressPortOpen(String protocol, int port) {
      return selecting("Egress").stream().flatMap(p -> p.getSpec().getEgress().stream())
        .anyMatch(rule -> ports(rule.getPorts(), protocol, port));
    }

    private static List<String> types(NetworkPolicy p) {
      List<String> types = p.getSpec().getPolicyTypes();
      if (types != null && !types.isEmpty()) {
        return types;
      }
      return p.getSpec().getEgress().isEmpty() ? List.of("Ingress") : List.of("Ingress", "Egress");
    }

    private static boolean peers(List<NetworkPolicyPeer> peers, Peer peer) {
      return peers == null || peers.isEmpty() || peers.stream().anyMatch(p -> peerMatches(p, peer));
    }

    private static boolean peerMatches(NetworkPolicyPeer p, Peer peer) {
      if (p.getIpBlock() != null) {
        return peer.ip() != null && inCidr(peer.ip(), p.getIpBlock().getCidr())
          && p.getIpBlock().getExcept().stream().noneMatch(e -> inCidr(peer.ip(), e));
      }
      if (peer.ip() != null) {
        return false; // pod and namespace selectors choose pods only
      }
      boolean namespaceOk = p.getNamespaceSelector() == null ? peer.sameNamespace() : isEmpty(p.getNamespaceSelector());
      boolean podOk = p.getPodSelector() == null || matches(p.getPodSelector(), peer.labels());
      return namespaceOk && podOk;
    }

    private static boolean ports(List<NetworkPolicyPort> ports, String protocol, int port) {
      return ports == null || ports.isEmpty() || ports.stream().anyMatch(p ->
        Objects.requireNonNullElse(p.getProtocol(), "TCP").equals(protocol)
          && (p.getPort() == null || (p.getPort().getIntVal() != null && (p.getEndPort() == null
            ? p.getPort().getIntVal() == port
            : p.getPort().getIntVal() <= port && port <= p.getEndPort()))));
    }

    private static boolean isEmpty(LabelSelector s) {
      return s.getMatchLabels().isEmpty() && s.getMatchExpressions().isEmpty();
    }
  }

  static boolean matches(LabelSelector selector, Map<String, String> labels) {
    if (selector == null) {
      return true;
    }
    Map<String, String> l = labels == null ? Map.of() : labels;
    if (!selector.getMatchLabels().entrySet().stream().allMatch(e -> e.getValue().equals(l.get(e.getKey())))) {
      return false;
    }
    for (LabelSelectorRequirement req : selector.getMatchExpressions()) {
      String value = l.get(req.getKey());
      boolean ok = switch (req.getOperator()) {
        case "In" -> value != null && req.getValues().contains(value);
        case "NotIn" -> value == null || !req.getValues().contains(value);
        case "Exists" -> value != null;
        case "DoesNotExist" -> value == null;
        default -> throw new AssertionError("unknown selector operator " + req.getOperator());
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  static boolean inCidr(String ip, String cidr) {
    String[] parts = cidr.split("/");
    int bits = parts.length == 2 ? Integer.parseInt(parts[1]) : 32;
    long mask = bits == 0 ? 0 : 0xFFFFFFFFL << (32 - bits) & 0xFFFFFFFFL;
    return (ipv4(ip) & mask) == (ipv4(parts[0]) & mask);
  }

  private static long ipv4(String ip) {
    long value = 0;
    for (String octet : ip.split("\\.")) {
      value = value << 8 | Integer.parseInt(octet);
    }
    return value;
  }

  private static Map<String, Integer> containerPorts(Container c) {
    Map<String, Integer> ports = new LinkedHashMap<>();
    for (ContainerPort p : c.getPorts()) {
      ports.put(p.getName(), p.getContainerPort());
    }
    return ports;
  }

  /** The Prometheus name of the scheduler's queue-depth gauge, from the meter the code registers. */
  static String queueDepthMetric() {
    String probe = "k8s-manifest-test";
    HookyardMetrics.queueDepth(probe, 0);
    List<Meter> meters = HookyardMetrics.registry().getMeters().stream()
      .filter(m -> probe.equals(m.getId().getTag("queue"))).toList();
    assertThat(meters).hasSize(1);
    Meter.Id id = meters.get(0).getId();
    return new PrometheusNamingConvention().name(id.getName(), id.getType(), id.getBaseUnit());
  }

  @Test
  @DisplayName("The network-policy reading used above: selectors, CIDRs and the two kinds of peer")
  void policyReading() {
    assertThat(inCidr("192.0.2.5", "192.0.2.0/28")).isTrue();
    assertThat(inCidr("192.0.2.17", "192.0.2.0/28")).isFalse();
    assertThat(inCidr("203.0.113.7", "0.0.0.0/0")).isTrue();
    LabelSelector selector = new LabelSelector(List.of(new LabelSelectorRequirement("tier", "In", List.of("a", "b"))),
      Map.of("app", "x"));
    assertThat(matches(selector, Map.of("app", "x", "tier", "b"))).isTrue();
    assertThat(matches(selector, Map.of("app", "x", "tier", "c"))).isFalse();
    assertThat(matches(selector, Map.of("tier", "a"))).isFalse();
    assertThat(ROLES.stream().collect(Collectors.toSet())).isEqualTo(SECRETS.keySet());
    assertThat(new ArrayList<>(List.of(1))).isNotEmpty();
  }
}
