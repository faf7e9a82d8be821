package dev.hookyard.common.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import io.vertx.micrometer.backends.BackendRegistries;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * hookyard's own meters, registered in the Prometheus registry Vert.x scrapes at
 * {@code /metrics}. Names are Prometheus-style; the registry adds {@code _total} and
 * {@code _seconds} suffixes.
 */
public final class HookyardMetrics {

  private static final MeterRegistry FALLBACK = new SimpleMeterRegistry();
  /**
   * The values behind the per-queue gauges, per registry: a process that starts a second
   * Vert.x instance (tests, a restart in the same JVM) gets gauges in the new registry
   * too, not values set on the old one's.
   */
  private static final Map<MeterRegistry, Map<String, AtomicLong>> QUEUE_GAUGES =
    java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());
  // Meters on the per-request path are looked up once per registry, not rebuilt for every delivery.
  private static volatile HotMeters hot;

  private record HotMeters(MeterRegistry registry, Map<String, Counter> received, Map<String, Counter> refused, Timer ack) {
  }

  private static HotMeters hot() {
    MeterRegistry registry = registry();
    HotMeters h = hot;
    if (h == null || h.registry() != registry) {
      h = new HotMeters(registry, new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), Timer.builder("hookyard.webhook.ack")
        .description("Time from request to 2xx acknowledgement")
        .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry));
      hot = h;
    }
    return h;
  }

  /** Vert.x options with Micrometer metrics and a Prometheus registry enabled, pools not metered. */
  public static VertxOptions vertxOptions() {
    return vertxOptions(false);
  }

  /**
   * Vert.x options with Micrometer metrics and a Prometheus registry enabled;
   * {@code meterPools}: the connection and worker pools too ({@code vertx_pool_*}).
   */
  public static VertxOptions vertxOptions(boolean meterPools) {
    MicrometerMetricsOptions metrics = new MicrometerMetricsOptions()
      .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
      .setJvmMetricsEnabled(true)
      .addLabels(Label.EB_ADDRESS)
      // Metered per task and per socket read: every PostgreSQL reply and every callback
      // of the processing pool would pay for a timer sample and counters nobody reads.
      // HTTP server, event-bus and JVM metrics stay, as do hookyard's own.
      .addDisabledMetricsCategory(MetricsDomain.NET_CLIENT)
      .addDisabledMetricsCategory(MetricsDomain.NET_SERVER)
      .setEnabled(true);
    if (!meterPools) {
      metrics.addDisabledMetricsCategory(MetricsDomain.NAMED_POOLS);
    }
    return new VertxOptions().setMetricsOptions(metrics);
  }

  /** The metrics factory to build a Vert.x instance with (Vert.x 5 wants it explicitly). */
  public static MicrometerMetricsFactory factory() {
    return new MicrometerMetricsFactory();
  }

  public static MeterRegistry registry() {
    MeterRegistry r = BackendRegistries.getDefaultNow();
    return r != null ? r : FALLBACK;
  }

  public static void deliveryReceived(String event) {
    HotMeters h = hot();
    h.received().computeIfAbsent(event, e -> Counter.builder("hookyard.webhook.deliveries.received")
      .description("Deliveries stored, by event").tag("event", e).register(h.registry())).increment();
  }

  /** Processing was held back: an acknowledgement was slow and no other had been lately. */
  public static void processingHeld() {
    Counter.builder("hookyard.processing.held").description("Times processing ran one lane at a time for slow acknowledgements")
      .register(registry()).increment();
  }

  public static void deliveryDuplicate() {
    Counter.builder("hookyard.webhook.deliveries.duplicate").description("Deliveries whose GUID was already stored")
      .register(registry()).increment();
  }

  public static void deliveryRejected(String reason) {
    Counter.builder("hookyard.webhook.deliveries.rejected").description("Deliveries refused, by reason")
      .tag("reason", reason).register(registry()).increment();
  }

  /**
   * One webhook request answered with anything but a 2xx, by the cause's reason
   * ({@code disk_full}, {@code bad_signature}, …): {@code hookyard_webhook_refused_total{reason}}.
   */
  public static void deliveryRefused(String reason) {
    HotMeters h = hot();
    h.refused().computeIfAbsent(reason, r -> Counter.builder("hookyard.webhook.refused")
      .description("Webhook requests refused (any answer but a 2xx), by the cause's reason").tag("reason", r)
      .register(h.registry())).increment();
  }

  /** Registers the refusal counter of each reason at zero, so rates over it exist before the first refusal. */
  public static void refusalReasons(Iterable<String> reasons) {
    HotMeters h = hot();
    for (String reason : reasons) {
      h.refused().computeIfAbsent(reason, r -> Counter.builder("hookyard.webhook.refused")
        .description("Webhook requests refused (any answer but a 2xx), by the cause's reason").tag("reason", r)
        .register(h.registry()));
    }
  }

  public static void ackLatency(long nanos) {
    hot().ack().record(nanos, TimeUnit.NANOSECONDS);
  }

  /** The meters of one queue's jobs, looked up once by the worker that drains it. */
  public static JobMeters jobMeters(String queue) {
    return new JobMeters(registry(), queue);
  }

  /** Handler time by outcome, retries and dead letters of one queue; used on its worker's context. */
  public static final class JobMeters {

    private final MeterRegistry registry;
    private final String queue;
    private final Map<String, Timer> durations = new HashMap<>();
    private final Counter retries;
    private final Counter deadLetters;

    private JobMeters(MeterRegistry registry, String queue) {
      this.registry = registry;
      this.queue = queue;
      this.retries = Counter.builder("hookyard.job.retries").description("Failed attempts scheduled for a retry")
        .tag("queue", queue).register(registry);
      this.deadLetters = Counter.builder("hookyard.job.dead.letters").description("Jobs moved to the dead letters")
        .tag("queue", queue).register(registry);
    }

    public void finished(String outcome, long nanos) {
      durations.computeIfAbsent(outcome, o -> Timer.builder("hookyard.job.duration")
        .description("Handler time per job, by queue and outcome")
        .tag("queue", queue).tag("outcome", o).register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    }

    public void retried() {
      retries.increment();
    }

    public void dead() {
      deadLetters.increment();
    }
  }

  /** One lookup of a GitHub account in the user-mapping cache. */
  public static void userCache(boolean hit) {
    Counter.builder("hookyard.user.cache.requests").description("User-mapping cache lookups, by result")
      .tag("result", hit ? "hit" : "miss").register(registry()).increment();
  }

  /** Sets the depth gauge of a queue (jobs queued, waiting for retry or running). */
  public static void queueDepth(String queue, long depth) {
    queueGauge("hookyard.queue.depth", "Jobs queued, waiting for a retry or running", queue, 1).set(depth);
  }

  /** Sets the gauge of how long a queue's oldest due job has waited, in seconds (0 when none waits). */
  public static void queueOldestJob(String queue, double seconds) {
    queueGauge("hookyard.queue.oldest.job.seconds", "How long the oldest job due in the queue has waited", queue, 1000)
      .set(Math.round(seconds * 1000));
  }

  /** Sets the gauge that says whether a queue is paused (1) or not (0). */
  public static void queuePaused(String queue, boolean paused) {
    queueGauge("hookyard.queue.paused", "1 while the queue is paused: its jobs wait and no worker claims them", queue, 1)
      .set(paused ? 1 : 0);
  }

  /** The value behind gauge {@code name} of {@code queue} in the current registry, read divided by {@code scale}. */
  private static AtomicLong queueGauge(String name, String description, String queue, double scale) {
    MeterRegistry registry = registry();
    return QUEUE_GAUGES.computeIfAbsent(registry, r -> new ConcurrentHashMap<>()).computeIfAbsent(name + " " + queue, k -> {
      AtomicLong value = new AtomicLong();
      Gauge.builder(name, value, v -> v.get() / scale).description(description).tag("queue", queue).register(registry);
      return value;
    });
  }

  /**
   * Reports the webhook request-body bytes held at once by the gateway (the latest
   * budget registered: one per process).
   */
  public static void bodyBytesInFlight(LongSupplier inFlight) {
    bodyBytes = inFlight;
    MeterRegistry registry = registry();
    if (registry.find("hookyard.webhook.body.bytes.in.flight").gauge() == null) {
      Gauge.builder("hookyard.webhook.body.bytes.in.flight", () -> bodyBytes.getAsLong())
        .description("Webhook request-body bytes held at once (HOOKYARD_MAX_INFLIGHT_BYTES bounds it)").register(registry);
    }
  }

  private static volatile LongSupplier bodyBytes = () -> 0;

  private HookyardMetrics() {
  }
}
