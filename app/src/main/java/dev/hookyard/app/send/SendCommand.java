package dev.hookyard.app.send;

import dev.hookyard.common.config.Credentials;
import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.config.SecretFiles;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code hookyard send [options] <file-or-folder> …}: signs and posts payload files to a
 * hookyard (or any GitHub webhook receiver) — to try a new cluster, or to replay captured
 * deliveries. Exit code 0 when every answer was 2xx (a duplicate is a 200), 1 when some
 * were not, 2 when the command line is wrong.
 */
public final class SendCommand {

  static final String USAGE = """
    usage: java -jar hookyard.jar send [options] <file-or-folder> ...

    Signs and posts GitHub webhook payloads: each file as given, each folder as its *.json
    files. The event is the file name up to its first dot (push.0.json -> push,
    pull_request.opened.0.json -> pull_request) unless --event is given. Every request
    gets a fresh X-GitHub-Delivery GUID.

    options:
      --url URL          hookyard's base URL, or a full webhook URL (default http://localhost:8080;
                         a URL without a path posts to /webhooks/github)
      --secret SECRET    webhook secret (default: the first of HOOKYARD_WEBHOOK_SECRETS, else the
                         first one hookyard generated in the data dir's credentials.json)
      --data-dir DIR     hookyard's data dir, where it keeps generated credentials
                         (default: HOOKYARD_DATA_DIR, else ./hookyard-data)
      --event NAME       send every file as this event
      --concurrency N    requests in flight at once (default 4)
      --repeat N         send each file N times, each time under a new GUID (default 1)
      --timeout SECONDS  per request (default 30)
      --help             this text

    Prints a summary by status code; exits 1 when any answer was not 2xx.
    """;

  record Options(URI target, String secret, String event, int concurrency, int repeat, Duration timeout,
                 List<String> paths) {
  }

  /** Runs the command; returns its exit code (the caller decides whether to exit). */
  public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err, boolean terminal) {
    if (Arrays.asList(args).contains("--help") || Arrays.asList(args).contains("-h")) {
      out.print(USAGE);
      return 0;
    }
    Options options;
    List<Payloads.Payload> payloads;
    try {
      options = parse(args, env);
      payloads = Payloads.collect(options.paths(), options.event());
    } catch (IllegalArgumentException e) {
      err.println("hookyard send: " + e.getMessage());
      err.println("(--help for usage)");
      return 2;
    } catch (IOException | UncheckedIOException e) {
      err.println("hookyard send: " + e.getMessage());
      return 2;
    }
    Tally tally = new Tally(payloads.size() * options.repeat());
    long started = System.nanoTime();
    try (DeliverySender sender = new DeliverySender(options.target(), options.secret(), options.concurrency(), options.timeout());
         Progress progress = new Progress(tally, err, terminal)) {
      sender.send(payloads, options.repeat(), tally);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println("hookyard send: interrupted");
      return 1;
    } catch (UncheckedIOException e) {
      err.println("hookyard send: " + e.getMessage());
      return 1;
    }
    summarize(out, options, payloads.size(), tally, System.nanoTime() - started);
    return tally.notOk() == 0 ? 0 : 1;
  }

  static Options parse(String[] args, Map<String, String> env) {
    String url = "http://localhost:" + HookyardConfig.DEFAULT_HTTP_PORT;
    String secret = null;
    String dataDir = null;
    String event = null;
    int concurrency = 4;
    int repeat = 1;
    int timeoutSeconds = 30;
    List<String> paths = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      String name = arg;
      String value = null;
      if (arg.startsWith("--") && arg.contains("=")) {
        name = arg.substring(0, arg.indexOf('='));
        value = arg.substring(arg.indexOf('=') + 1);
      }
      if (!name.startsWith("--")) {
        paths.add(arg);
        continue;
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(name + " needs a value");
        }
        value = args[++i];
      }
      switch (name) {
        case "--url" -> url = value;
        case "--secret" -> secret = value;
        case "--data-dir" -> dataDir = value;
        case "--event" -> event = value.toLowerCase(Locale.ROOT);
        case "--concurrency" -> concurrency = positive(name, value);
        case "--repeat" -> repeat = positive(name, value);
        case "--timeout" -> timeoutSeconds = positive(name, value);
        default -> throw new IllegalArgumentException("unknown option " + name);
      }
    }
    if (secret == null) {
      secret = firstSecret(env.get(HookyardConfig.WEBHOOK_SECRETS));
    }
    Path credentials = Path.of(dataDir != null ? dataDir : env.getOrDefault(HookyardConfig.DATA_DIR, HookyardConfig.DEFAULT_DATA_DIR))
      .resolve(Credentials.FILE).toAbsolutePath().normalize();
    if (secret == null) {
      secret = storedSecret(credentials);
    }
    if (secret == null) {
      throw new IllegalArgumentException("no secret: pass --secret, set " + HookyardConfig.WEBHOOK_SECRETS
        + ", or name hookyard's data dir with --data-dir (there is no " + credentials + ")");
    }
    if (paths.isEmpty()) {
      throw new IllegalArgumentException("name at least one payload file or folder");
    }
    return new Options(target(url), secret, event, concurrency, repeat, Duration.ofSeconds(timeoutSeconds), paths);
  }

  /** A bare base URL means hookyard's GitHub endpoint; a URL with a path is taken as it is. */
  static URI target(String url) {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--url " + url + " is not a URL");
    }
    if (uri.getHost() == null || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))) {
      throw new IllegalArgumentException("--url " + url + " is not an http(s) URL");
    }
    String path = uri.getRawPath();
    if (path == null || path.isEmpty() || path.equals("/")) {
      return uri.resolve("/webhooks/github");
    }
    return uri;
  }

  /** The first webhook secret hookyard generated and kept in {@code file}, or null when there is no such file. */
  static String storedSecret(Path file) {
    if (!Files.exists(file)) {
      return null;
    }
    try {
      JsonArray secrets = new JsonObject(SecretFiles.read(file)).getJsonArray("webhook_secrets");
      String first = secrets == null || secrets.isEmpty() ? null : secrets.getString(0);
      if (first == null || first.isBlank()) {
        throw new IllegalArgumentException(file + " holds no webhook secret; pass --secret");
      }
      return first;
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException(file + " is not hookyard's credentials file (" + e.getMessage() + "); pass --secret");
    } catch (IllegalStateException e) {
      throw new IllegalArgumentException(e.getMessage());
    }
  }

  private static String firstSecret(String secrets) {
    if (secrets == null) {
      return null;
    }
    return Arrays.stream(secrets.split(",")).map(String::trim).filter(s -> !s.isEmpty()).findFirst().orElse(null);
  }

  private static int positive(String name, String value) {
    try {
      int n = Integer.parseInt(value);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new IllegalArgumentException(name + " wants a positive number, not " + value);
  }

  private static void summarize(PrintStream out, Options options, int files, Tally tally, long nanos) {
    double seconds = nanos / 1e9;
    out.printf(Locale.ROOT, "%d deliver%s (%d file%s x %d) to %s in %.1f s, %.0f/s%n", tally.done(),
      tally.done() == 1 ? "y" : "ies", files, files == 1 ? "" : "s", options.repeat(), options.target(), seconds, tally.done() / Math.max(seconds, 1e-3));
    tally.byStatus().forEach((status, count) -> {
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-5s %8d", status, count));
      if (!status.startsWith("2")) {
        line.append("  e.g. ").append(abbreviate(tally.example(status)));
      }
      out.println(line);
    });
    if (tally.notOk() > 0) {
      out.println(tally.notOk() + " answer" + (tally.notOk() == 1 ? " was" : "s were") + " not 2xx");
    }
  }

  private static String abbreviate(String s) {
    String oneLine = s == null ? "" : s.replaceAll("\\s+", " ").trim();
    return oneLine.length() <= 160 ? oneLine : oneLine.substring(0, 157) + "...";
  }

  private SendCommand() {
  }
}
