package dev.hookyard.app;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Posts signed deliveries at a fixed rate, as wrk2 does: request {@code i} is due at
 * {@code start + i / rate}, and its latency is counted from then, not from when a
 * connection was free to send it, so a stalled server is charged for every request it
 * held back (no coordinated omission). Used by {@code RATE=… bench/ingest.sh}.
 *
 * <p>Environment: {@code URL} (the webhook endpoint), {@code PAYLOADS} (records as
 * {@code bench/e2e_payloads.py} writes them: {@code "<event> <signature> <length>\n"} then
 * the body), {@code RATE} (requests per second), {@code DURATION} (seconds),
 * {@code WARMUP} (seconds at the same rate before the measured ones, in this process, so
 * the client's own start-up is not charged to the server), {@code CONNECTIONS} (64, the
 * most requests in flight), {@code RUN_ID} (prefix of the delivery ids). Prints
 * {@code key=value} lines: sent, answered, 2xx, non-2xx, errors, the achieved rate and
 * p50/p99/p99.9/max latency in ms.
 */
public final class FixedRateLoad {

  private record Delivery(String event, String signature, byte[] body) {
  }

  private FixedRateLoad() {
  }

  public static void main(String[] args) throws Exception {
    URI url = URI.create(env("URL", null));
    List<Delivery> deliveries = read(Path.of(env("PAYLOADS", null)));
    double rate = Double.parseDouble(env("RATE", null));
    long durationNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(env("DURATION", "60")));
    int connections = Integer.parseInt(env("CONNECTIONS", "64"));
    String runId = env("RUN_ID", Long.toString(System.currentTimeMillis()));
    long warmup = (long) (rate * Long.parseLong(env("WARMUP", "0")));
    long total = warmup + (long) (rate * durationNanos / 1e9);

    // One event loop and a pool of CONNECTIONS keep-alive connections: the client costs
    // little CPU, so what is measured is the server.
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
      .setDefaultHost(url.getHost()).setDefaultPort(url.getPort()), new PoolOptions().setHttp1MaxSize(connections));
    Buffer[] bodies = deliveries.stream().map(d -> Buffer.buffer(d.body())).toArray(Buffer[]::new);
    long[] latencies = new long[(int) (total - warmup)];
    AtomicLong answered = new AtomicLong();
    AtomicLong ok = new AtomicLong();
    AtomicLong refused = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    CountDownLatch done = new CountDownLatch(1);
    long start = System.nanoTime();
    long measuredFrom = start + (long) (warmup * 1e9 / rate);
    long[] next = {0};
    // Every millisecond the requests that have come due go out; each is charged from when
    // it was due (requests beyond CONNECTIONS wait in the pool, on the clock).
    vertx.setPeriodic(1, t -> {
      long now = System.nanoTime();
      while (next[0] < total) {
        long i = next[0];
        long due = start + (long) (i * 1e9 / rate);
        if (due > now) {
          break;
        }
        next[0]++;
        Delivery d = deliveries.get((int) (i % deliveries.size()));
        RequestOptions request = new RequestOptions().setMethod(HttpMethod.POST).setURI(url.getPath())
          .putHeader("Content-Type", "application/json").putHeader("X-GitHub-Event", d.event())
          .putHeader("X-Hub-Signature-256", d.signature()).putHeader("X-GitHub-Delivery", "rate-" + runId + "-" + i)
          .setIdleTimeout(30_000);
        client.request(request)
          .compose(req -> req.send(bodies[(int) (i % bodies.length)]))
          .compose(resp -> resp.body().map(b -> resp.statusCode()))
          .onComplete(ar -> {
            long latency = System.nanoTime() - due;
            if (i < warmup) {
              // The warm-up's answers are awaited but not counted.
            } else if (ar.failed()) {
              errors.incrementAndGet();
            } else if (ar.result() / 100 == 2) {
              ok.incrementAndGet();
            } else {
              refused.incrementAndGet();
            }
            if (i >= warmup) {
              latencies[(int) (i - warmup)] = latency;
            }
            if (answered.incrementAndGet() == total) {
              done.countDown();
            }
          });
      }
    });
    boolean finished = done.await((long) (total / rate) + 60, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - measuredFrom) / 1e9;

    long n = Math.max(0, answered.get() - warmup);
    long[] sorted = Arrays.copyOf(latencies, (int) Math.min(n, latencies.length));
    Arrays.sort(sorted);
    System.out.println("sent=" + (total - warmup));
    System.out.println("answered=" + n + (finished ? "" : " (gave up waiting for the rest)"));
    System.out.println("responses_2xx=" + ok.get());
    System.out.println("responses_non2xx=" + refused.get());
    System.out.println("errors=" + errors.get());
    System.out.printf("rate_per_s=%.1f%n", n / seconds);
    System.out.printf("latency_p50_ms=%.2f%n", percentile(sorted, 0.50));
    System.out.printf("latency_p99_ms=%.2f%n", percentile(sorted, 0.99));
    System.out.printf("latency_p999_ms=%.2f%n", percentile(sorted, 0.999));
    System.out.printf("latency_max_ms=%.2f%n", sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6);
    bySecond(latencies, (int) Math.min(n, latencies.length), rate);
    vertx.close();
  }

  /**
   * The p99 of each measured second (requests by when they were due): how many seconds
   * had one over 25 ms, and the five worst, so a tail of a few stalls reads apart from
   * one spread over the run.
   */
  private static void bySecond(long[] latencies, int n, double rate) {
    int perSecond = Math.max(1, (int) Math.round(rate));
    List<double[]> seconds = new ArrayList<>();
    for (int from = 0; from + perSecond <= n; from += perSecond) {
      long[] window = Arrays.copyOfRange(latencies, from, from + perSecond);
      Arrays.sort(window);
      seconds.add(new double[] {seconds.size(), percentile(window, 0.99)});
    }
    long over = seconds.stream().filter(sec -> sec[1] > 25).count();
    System.out.println("seconds_p99_over_25ms=" + over + "/" + seconds.size());
    StringBuilder worst = new StringBuilder();
    seconds.stream().sorted((a, b) -> Double.compare(b[1], a[1])).limit(5)
      .forEach(sec -> worst.append(String.format("%s%d:%.1f", worst.length() == 0 ? "" : " ", (int) sec[0], sec[1])));
    System.out.println("worst_seconds_p99_ms=" + worst);
  }

  private static double percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    return sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] / 1e6;
  }

  private static List<Delivery> read(Path path) throws IOException {
    List<Delivery> out = new ArrayList<>();
    try (InputStream in = Files.newInputStream(path); DataInputStream data = new DataInputStream(new java.io.BufferedInputStream(in))) {
      while (true) {
        String header = line(data);
        if (header == null) {
          break;
        }
        String[] parts = header.split(" ");
        byte[] body = new byte[Integer.parseInt(parts[2])];
        data.readFully(body);
        out.add(new Delivery(parts[0], parts[1], body));
      }
    } catch (EOFException e) {
      throw new IOException(path + " ends inside a record", e);
    }
    if (out.isEmpty()) {
      throw new IOException(path + " holds no deliveries");
    }
    return out;
  }

  private static String line(DataInputStream in) throws IOException {
    StringBuilder s = new StringBuilder();
    int c;
    while ((c = in.read()) != '\n') {
      if (c < 0) {
        return s.isEmpty() ? null : s.toString();
      }
      s.append((char) c);
    }
    return new String(s.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
  }

  private static String env(String name, String fallback) {
    String v = System.getenv(name);
    if (v == null || v.isEmpty()) {
      if (fallback == null) {
        throw new IllegalArgumentException(name + " is not set");
      }
      return fallback;
    }
    return v;
  }
}
