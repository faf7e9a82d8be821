package dev.hookyard.app;

import dev.hookyard.common.config.Credentials;
import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.config.Role;
import dev.hookyard.common.config.StartupRefusal;
import dev.hookyard.common.db.Database;
import dev.hookyard.common.logging.RepeatedFailures;
import dev.hookyard.common.metrics.HookyardMetrics;
import dev.hookyard.common.queue.IngestFirst;
import dev.hookyard.gateway.GatewayVerticle;
import dev.hookyard.gateway.ops.OpsRoutes;
import dev.hookyard.gateway.ops.OpsVerticle;
import dev.hookyard.processors.ProcessorsDeployment;
import dev.hookyard.scheduler.SchedulerDeployment;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One running hookyard process: its database, its Vert.x (clustered or not) and the
 * verticles of its roles. {@link #close()} drains in order: stop taking deliveries,
 * finish the jobs in hand, then release the event bus, the pool and the database.
 */
public final class Hookyard implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Hookyard.class);

  private final HookyardConfig config;
  private final Set<Role> roles;
  private final Credentials credentials;
  private final Database database;
  private final Vertx vertx;
  private final Pool pool;
  private final Pool gatewayPool;
  private final Clock clock;
  private final List<String> frontDeployments = new ArrayList<>();
  private final List<String> workDeployments = new ArrayList<>();
  private boolean closed;

  private Hookyard(HookyardConfig config, Set<Role> roles, Credentials credentials, Database database, Vertx vertx, Pool pool,
                   Pool gatewayPool, Clock clock) {
    this.clock = clock;
    this.config = config;
    this.roles = roles;
    this.credentials = credentials;
    this.database = database;
    this.vertx = vertx;
    this.pool = pool;
    this.gatewayPool = gatewayPool;
  }

  /** Starts every role in {@code HOOKYARD_ROLES}; blocks until they are deployed. */
  public static Hookyard start(HookyardConfig config) throws Exception {
    return start(config, Clock.systemUTC());
  }

  /** As {@link #start(HookyardConfig)}, with the scheduler's time taken from {@code clock}. */
  public static Hookyard start(HookyardConfig config, Clock clock) throws Exception {
    Set<Role> roles = Role.parse(config.list(HookyardConfig.ROLES));
    RepeatedFailures.interval(Duration.ofMillis(Math.max(1,
      config.longValue(HookyardConfig.LOG_REPEAT_INTERVAL_MS, HookyardConfig.DEFAULT_LOG_REPEAT_INTERVAL_MS))));
    // Before anything is generated or created: a second instance on a taken port leaves no trace.
    requireFreePort(config.string(HookyardConfig.HTTP_HOST, HookyardConfig.DEFAULT_HTTP_HOST),
      config.integer(HookyardConfig.HTTP_PORT, HookyardConfig.DEFAULT_HTTP_PORT));
    Path dataDir = Path.of(config.string(HookyardConfig.DATA_DIR, HookyardConfig.DEFAULT_DATA_DIR)).toAbsolutePath().normalize();
    // Only the gateway checks signatures and tokens: other roles neither need nor generate them.
    Credentials credentials = roles.contains(Role.GATEWAY) ? Credentials.load(config, dataDir) : Credentials.notNeeded();
    if (credentials.generated()) {
      printGenerated(credentials, dataDir);
    }
    Database database = Database.open(config, dataDir);
    Vertx vertx = null;
    try {
      vertx = buildVertx(config, roles);
      IngestFirst.of(vertx).target(config.longValue(HookyardConfig.INGEST_YIELD_MS, HookyardConfig.DEFAULT_INGEST_YIELD_MS));
      // Processors, scheduler and health: work that is redone after a database crash, never acknowledged.
      Pool pool = database.workPool(vertx, config.integer(HookyardConfig.DB_POOL_SIZE, HookyardConfig.DEFAULT_DB_POOL_SIZE));
      // The gateway has connections of its own: workers busy with long transactions can
      // never make a delivery wait for a connection into a 503. (Pools connect lazily, so
      // a role's unused pool costs nothing.)
      Pool gatewayPool = roles.contains(Role.GATEWAY) ? database.pool(vertx, gatewayPoolSize(config)) : null;
      Hookyard hookyard = new Hookyard(config, roles, credentials, database, vertx, pool, gatewayPool, clock);
      hookyard.deploy().await(60, TimeUnit.SECONDS);
      return hookyard;
    } catch (Exception e) {
      if (vertx != null) {
        vertx.close().await(30, TimeUnit.SECONDS);
      }
      database.close();
      throw e;
    }
  }

  /** Refuses to start, naming the port, when another process listens on it (every role serves HTTP). */
  static void requireFreePort(String host, int port) {
    if (port == 0) {
      return;
    }
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new InetSocketAddress(host, port));
    } catch (BindException e) {
      throw new StartupRefusal("HTTP port " + port + " on " + host + " is already in use; stop the process listening there, or set "
        + HookyardConfig.HTTP_PORT + " to another port");
    } catch (IOException e) {
      throw new StartupRefusal("cannot listen on " + host + ":" + port + " (" + HookyardConfig.HTTP_HOST + ", "
        + HookyardConfig.HTTP_PORT + "): " + e.getMessage());
    }
  }

  /**
   * Enough for every ingest batch in flight at once (one per gateway instance by
   * default) plus two for the admin API and health, unless configured.
   */
  static int gatewayPoolSize(HookyardConfig config) {
    return config.integer(HookyardConfig.DB_GATEWAY_POOL_SIZE, config.gatewayInstances() * config.ingestInFlight() + 2);
  }

  private static Vertx buildVertx(HookyardConfig config, Set<Role> roles) throws Exception {
    boolean clustered = config.bool(HookyardConfig.CLUSTER, roles.size() < Role.values().length);
    VertxOptions options = HookyardMetrics.vertxOptions(config.bool(HookyardConfig.METRICS_POOLS, false));
    var builder = Vertx.builder().withMetrics(HookyardMetrics.factory());
    if (!clustered) {
      return builder.with(options).build();
    }
    options.setEventBusOptions(ClusterSetup.eventBusOptions(config));
    return builder.with(options)
      .withClusterManager(ClusterSetup.clusterManager(config))
      .buildClustered()
      .await(60, TimeUnit.SECONDS);
  }

  private Future<Void> deploy() {
    Future<Void> chain = OpsRoutes.answerPings(vertx);
    if (roles.contains(Role.PROCESSORS)) {
      chain = chain.compose(v -> ProcessorsDeployment.deploy(vertx, config, pool)).map(ids -> {
        workDeployments.addAll(ids);
        return null;
      });
    }
    if (roles.contains(Role.SCHEDULER)) {
      chain = chain.compose(v -> SchedulerDeployment.deploy(vertx, config, pool, clock))
        .map(id -> {
          workDeployments.add(id);
          return null;
        });
    }
    // The HTTP front goes last: nothing is accepted before the rest is ready.
    Future<String> front;
    if (roles.contains(Role.GATEWAY)) {
      front = chain.compose(v -> vertx.deployVerticle(() -> new GatewayVerticle(config, credentials, gatewayPool),
        new DeploymentOptions().setInstances(config.gatewayInstances())));
    } else {
      front = chain.compose(v -> vertx.deployVerticle(new OpsVerticle(config, pool)));
    }
    return front.map(id -> {
      frontDeployments.add(id);
      return null;
    });
  }

  public Vertx vertx() {
    return vertx;
  }

  public Pool pool() {
    return pool;
  }

  /** The gateway's own pool (null without the gateway role). */
  public Pool gatewayPool() {
    return gatewayPool;
  }

  public Credentials credentials() {
    return credentials;
  }

  public Set<Role> roles() {
    return roles;
  }

  public boolean embeddedDatabase() {
    return database.isEmbedded();
  }

  /** Drains and stops; safe to call twice. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    // One deadline for the whole drain, so a stop fits the platform's grace period
    // (Kubernetes' terminationGracePeriodSeconds): leaving the cluster gets a second
    // even when the drain used it all.
    long grace = config.longValue(HookyardConfig.SHUTDOWN_GRACE_MS, HookyardConfig.DEFAULT_SHUTDOWN_GRACE_MS);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(grace);
    undeploy(frontDeployments, deadline);
    undeploy(workDeployments, deadline);
    try {
      vertx.close().await(Math.max(1_000, remainingMs(deadline)), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.warn("Vert.x did not close cleanly: {}", e.toString());
    }
    database.close();
  }

  private static long remainingMs(long deadlineNanos) {
    return Math.max(0, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
  }

  private void undeploy(List<String> ids, long deadlineNanos) {
    List<Future<Void>> undeployed = new ArrayList<>();
    ids.forEach(id -> undeployed.add(vertx.undeploy(id)));
    long waitMs = remainingMs(deadlineNanos);
    try {
      Future.join(undeployed).await(waitMs, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.warn("Some verticles did not stop within the shutdown grace ({} ms left): {}", waitMs, e.toString());
    }
  }

  /** Prints what this start generated and uses; values taken from the environment are never printed. */
  private static void printGenerated(Credentials c, Path dataDir) {
    System.out.println();
    System.out.println("hookyard generated credentials (kept in " + dataDir.resolve(Credentials.FILE) + "):");
    if (c.secretsGenerated()) {
      System.out.println("  HOOKYARD_WEBHOOK_SECRETS=" + String.join(",", c.webhookSecrets()));
    }
    if (c.tokenGenerated()) {
      System.out.println("  HOOKYARD_ADMIN_TOKEN=" + c.adminToken());
    }
    if (c.secretsGenerated()) {
      System.out.println("Set the webhook secret in your GitHub App.");
    }
    if (c.tokenGenerated()) {
      System.out.println("Send the admin token as 'Authorization: Bearer <token>'.");
    }
    System.out.println();
  }

}
