package dev.hookyard.app;

import dev.hookyard.common.queue.Enqueue;
import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.db.Database;
import dev.hookyard.common.metrics.HookyardMetrics;
import dev.hookyard.common.queue.JobOutcome;
import dev.hookyard.common.queue.JobQueue;
import dev.hookyard.common.queue.JobWorker;
import dev.hookyard.common.queue.QueueSettings;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code bench/queue.sh}: noop jobs through hookyard's own queue as production runs them
 * ({@link JobWorker} with its default settings: leases, attempts, fencing, retries and
 * dead letters on, metrics recorded), on {@code HOOKYARD_DB_URL} or an embedded
 * PostgreSQL. Each round enqueues {@code N} jobs in batches, then drains them; with
 * {@code PEER} set (a command), the peer runs on the same server after each round, given
 * the server as {@code DB_URL}, and its {@code graphile jobs/s:} line is read.
 */
public final class QueueBench {

  private static final String QUEUE = "bench.noop";
  private static final int ENQUEUE_BATCH = 1_000;
  private static final int ENQUEUES_IN_FLIGHT = 4;
  private static final Pattern PEER_RATE = Pattern.compile("^graphile jobs/s: (\\d+)", Pattern.MULTILINE);
  private static final Pattern PEER_CPU = Pattern.compile("^graphile cpu us/job: node ([\\d.]+) postgres ([\\d.]+)",
    Pattern.MULTILINE);

  private record Round(double enqueueRate, double drainRate, double jvmUsPerJob, double pgUsPerJob) {
  }

  /** A peer's round: its drain rate and, where it printed them, CPU µs per job of its process and of PostgreSQL. */
  private record PeerRound(long rate, double processUsPerJob, double pgUsPerJob) {
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> env = System.getenv();
    int n = Integer.parseInt(env.getOrDefault("N", "50000"));
    int rounds = Integer.parseInt(env.getOrDefault("ROUNDS", "2"));
    String peer = env.get("PEER");
    HookyardConfig config = HookyardConfig.fromEnvironment();
    Path dataDir = Files.createTempDirectory("hookyard-queue-bench");
    try (Database database = Database.open(config, dataDir)) {
      Vertx vertx = Vertx.builder().withMetrics(HookyardMetrics.factory()).with(HookyardMetrics.vertxOptions()).build();
      Pool pool = database.pool(vertx, config.integer(HookyardConfig.DB_POOL_SIZE, HookyardConfig.DEFAULT_DB_POOL_SIZE));
      QueueSettings settings = QueueSettings.of(config, QUEUE);
      System.out.printf("queue settings: %s%n", settings);
      List<Round> ours = new ArrayList<>();
      List<PeerRound> theirs = new ArrayList<>();
      for (int r = 1; r <= rounds; r++) {
        Round round = round(vertx, pool, settings, n);
        ours.add(round);
        System.out.printf("round %d hookyard: enqueue %.0f jobs/s, queue jobs/s: %.0f, cpu us/job: jvm %.1f postgres %.1f%n",
          r, round.enqueueRate(), round.drainRate(), round.jvmUsPerJob(), round.pgUsPerJob());
        if (peer != null) {
          PeerRound theirRound = runPeer(peer, database.connectOptions(), n);
          theirs.add(theirRound);
          System.out.printf("round %d peer: graphile jobs/s: %d%n", r, theirRound.rate());
        }
      }
      double drain = median(ours.stream().map(Round::drainRate).toList());
      System.out.println();
      System.out.printf("queue jobs/s: %.0f%n", drain);
      System.out.printf("enqueue jobs/s: %.0f%n", median(ours.stream().map(Round::enqueueRate).toList()));
      System.out.printf("cpu us/job: jvm %.1f postgres %.1f%n", median(ours.stream().map(Round::jvmUsPerJob).toList()),
        median(ours.stream().map(Round::pgUsPerJob).toList()));
      if (!theirs.isEmpty()) {
        double peerRate = median(theirs.stream().map(t -> (double) t.rate()).toList());
        System.out.printf("graphile jobs/s: %.0f%n", peerRate);
        System.out.printf("graphile cpu us/job: node %.1f postgres %.1f%n",
          median(theirs.stream().map(PeerRound::processUsPerJob).toList()), median(theirs.stream().map(PeerRound::pgUsPerJob).toList()));
        System.out.printf("ratio hookyard/graphile: %.2f%n", drain / peerRate);
      }
      pool.close().await();
      vertx.close().await();
    } finally {
      deleteTree(dataDir);
    }
  }

  private static Round round(Vertx vertx, Pool pool, QueueSettings settings, int n) throws Exception {
    pool.preparedQuery("DELETE FROM job_queue WHERE queue = $1").execute(Tuple.of(QUEUE)).await();
    pool.preparedQuery("DELETE FROM job_history WHERE queue = $1").execute(Tuple.of(QUEUE)).await();
    pool.query("VACUUM ANALYZE job_queue").execute().await();
    pool.query("VACUUM ANALYZE job_history").execute().await();
    long t0 = System.nanoTime();
    enqueue(pool, n);
    double enqueueRate = n / seconds(System.nanoTime() - t0);
    pool.query("ANALYZE job_queue").execute().await();

    long jvm0 = jvmCpuNanos();
    long pg0 = postgresCpuNanos();
    long started = System.nanoTime();
    String deployment = vertx.deployVerticle(() -> new JobWorker(new JobQueue(pool), QUEUE,
      job -> Future.succeededFuture(JobOutcome.done()), settings), new DeploymentOptions().setInstances(
      HookyardConfig.fromEnvironment().integer(HookyardConfig.PROCESSOR_INSTANCES, HookyardConfig.DEFAULT_PROCESSOR_INSTANCES))).await();
    while (pending(pool)) {
      if (seconds(System.nanoTime() - started) > 600) {
        throw new IllegalStateException("jobs not drained within 600 s");
      }
      Thread.sleep(20);
    }
    long took = System.nanoTime() - started;
    long jvm = jvmCpuNanos() - jvm0;
    long pg = postgresCpuNanos() - pg0;
    vertx.undeploy(deployment).await();
    long dead = pool.preparedQuery("SELECT count(*) FROM job_history WHERE queue = $1 AND status = 'dead'")
      .execute(Tuple.of(QUEUE)).await().iterator().next().getLong(0);
    if (dead > 0) {
      throw new IllegalStateException(dead + " dead letters");
    }
    return new Round(enqueueRate, n / seconds(took), jvm / 1_000.0 / n, pg / 1_000.0 / n);
  }

  private static void enqueue(Pool pool, int n) {
    List<Future<Integer>> inFlight = new ArrayList<>();
    for (int from = 0; from < n; from += ENQUEUE_BATCH) {
      int size = Math.min(ENQUEUE_BATCH, n - from);
      List<JsonObject> payloads = new ArrayList<>(size);
      for (int i = 0; i < size; i++) {
        payloads.add(new JsonObject().put("n", from + i));
      }
      inFlight.add(Enqueue.all(pool, QUEUE, payloads, Collections.nCopies(size, null), 0));
      if (inFlight.size() == ENQUEUES_IN_FLIGHT) {
        Future.all(inFlight).await();
        inFlight.clear();
      }
    }
    Future.all(inFlight).await();
  }

  /** Whether a job of the bench queue is still to finish: one index probe, so watching costs the drain little. */
  private static boolean pending(Pool pool) {
    return pool.preparedQuery("SELECT EXISTS (SELECT 1 FROM job_queue WHERE queue = $1)")
      .execute(Tuple.of(QUEUE)).await().iterator().next().getBoolean(0);
  }

  private static PeerRound runPeer(String command, PgConnectOptions db, int n) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("bash", "-c", command).redirectErrorStream(true);
    pb.environment().put("DB_URL", "postgresql://" + db.getUser() + ":" + db.getPassword() + "@" + db.getHost() + ":"
      + db.getPort() + "/" + db.getDatabase());
    pb.environment().put("N", String.valueOf(n));
    Process p = pb.start();
    StringBuilder out = new StringBuilder();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        System.out.println("  peer| " + line);
        out.append(line).append('\n');
      }
    }
    if (p.waitFor() != 0) {
      throw new IllegalStateException("peer command failed: " + command);
    }
    Matcher m = PEER_RATE.matcher(out);
    if (!m.find()) {
      throw new IllegalStateException("peer printed no 'graphile jobs/s:' line");
    }
    Matcher cpu = PEER_CPU.matcher(out);
    boolean hasCpu = cpu.find();
    return new PeerRound(Long.parseLong(m.group(1)), hasCpu ? Double.parseDouble(cpu.group(1)) : Double.NaN,
      hasCpu ? Double.parseDouble(cpu.group(2)) : Double.NaN);
  }

  private static long jvmCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** CPU time of every process named {@code postgres} on this machine, from /proc (0 elsewhere). */
  static long postgresCpuNanos() {
    long ticks = 0;
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : (Iterable<Path>) procs::iterator) {
        if (!p.getFileName().toString().chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          String stat = Files.readString(p.resolve("stat"));
          int close = stat.lastIndexOf(')');
          if (!stat.substring(stat.indexOf('(') + 1, close).equals("postgres")) {
            continue;
          }
          String[] f = stat.substring(close + 2).split(" ");
          ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
        } catch (IOException | RuntimeException e) {
          // the process ended meanwhile
        }
      }
    } catch (IOException e) {
      return 0;
    }
    return TimeUnit.MILLISECONDS.toNanos(ticks * 10);
  }

  private static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }

  private QueueBench() {
  }
}
