package dev.hookyard.common.db;

import dev.hookyard.common.config.SecretFiles;
import dev.hookyard.common.config.StartupRefusal;
import io.vertx.pgclient.PgConnectOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;

/**
 * A real PostgreSQL server run from binaries packaged in the jar, its files kept in a
 * directory so data survives restarts. Durable by configuration: the library's default
 * of {@code synchronous_commit=off} would let a crash lose acknowledged deliveries.
 *
 * <p>Safe across crashes: one process at a time holds the data directory (a lock file
 * the operating system releases when the process dies, however it dies); a server left
 * running by a process that died is stopped before a new one starts; and a watchdog
 * stops the server when the process that started it is gone. Password-protected: the
 * superuser's password is generated on first start (kept owner-only in
 * {@value #PASSWORD_FILE} beside the data directory) and data directories made without
 * one are upgraded on start.
 */
public final class EmbeddedDatabase implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

  /** The superuser's password, beside the data directory. */
  public static final String PASSWORD_FILE = "db-password";
  private static final Duration STARTUP_WAIT = Duration.ofSeconds(60);
  private static final String USER = "postgres";

  private final EmbeddedPostgres postgres;
  private final DataDirLock lock;
  private final String password;
  private final Process watchdog;

  private EmbeddedDatabase(EmbeddedPostgres postgres, DataDirLock lock, String password, Process watchdog) {
    this.postgres = postgres;
    this.lock = lock;
    this.password = password;
    this.watchdog = watchdog;
  }

  /** Starts PostgreSQL on a free loopback port with its data in {@code dir} (created if absent). */
  public static EmbeddedDatabase start(Path dir) {
    return start(dir, true, 0);
  }

  /** As {@link #start(Path)} on a given loopback port (0: any free one). */
  public static EmbeddedDatabase start(Path dir, int port) {
    return start(dir, true, port);
  }

  /** As {@link #start(Path)}; {@code watchdog} false leaves the server running if this process dies. */
  static EmbeddedDatabase start(Path dir, boolean watchdog) {
    return start(dir, watchdog, 0);
  }

  private static EmbeddedDatabase start(Path dir, boolean watchdog, int port) {
    Path data = dir.toAbsolutePath().normalize();
    DataDirLock lock = DataDirLock.acquire(data);
    try {
      Files.createDirectories(data);
      LeftoverServer.stopIfOurs(data);
      String password = password(data);
      boolean fresh = !Files.exists(data.resolve("PG_VERSION"));
      long started = System.nanoTime();
      log.info("Starting embedded PostgreSQL with data in {} (waiting up to {} s for it to accept connections{})",
        data, STARTUP_WAIT.toSeconds(), fresh ? ", after creating the data directory" : "");
      EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
        .setDataDirectory(data)
        .setCleanDataDirectory(false)
        .setPGStartupWait(STARTUP_WAIT)
        .setRegisterShutdownHook(false)
        .setPort(port)
        .setConnectConfig("password", password)
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("fsync", "on")
        .setServerConfig("full_page_writes", "on")
        .setServerConfig("max_connections", "200")
        .setServerConfig("listen_addresses", "127.0.0.1")
        .setServerConfig("password_encryption", "scram-sha-256")
        .setServerConfig("shared_buffers", "256MB")
        .setServerConfig("wal_buffers", "32MB")
        .setServerConfig("max_wal_size", "4GB")
        .setServerConfig("checkpoint_timeout", "15min")
        // Deliveries fill a new page every few rows: a background writer that keeps up
        // spares the inserting backends from flushing WAL to evict dirty pages themselves.
        .setServerConfig("bgwriter_delay", "10ms")
        .setServerConfig("bgwriter_lru_maxpages", "1000")
        .setServerConfig("bgwriter_lru_multiplier", "10");
      if (fresh) {
        // initdb takes its options in order: these come after the library's "-A trust",
        // so a new data directory never accepts a connection without the password.
        builder.setLocaleConfig("auth-local", "scram-sha-256")
          .setLocaleConfig("auth-host", "scram-sha-256")
          .setLocaleConfig("pwfile", data.resolveSibling(PASSWORD_FILE).toString());
      }
      EmbeddedPostgres pg = builder.start();
      if (!fresh) {
        PasswordUpgrade.ifTrusting(data, pg.getPort(), password);
      }
      long pid = LeftoverServer.postmasterPid(data).orElse(-1L);
      log.info("Embedded PostgreSQL on 127.0.0.1:{} with data in {} (pid {}, {} ms)",
        pg.getPort(), data, pid, (System.nanoTime() - started) / 1_000_000);
      Process guard = watchdog && pid > 0 ? Watchdog.start(pid, data) : null;
      return new EmbeddedDatabase(pg, lock, password, guard);
    } catch (IOException e) {
      lock.release();
      throw new UncheckedIOException("cannot start embedded PostgreSQL in " + data, e);
    } catch (RuntimeException | Error e) {
      lock.release();
      throw e;
    }
  }

  /** The password in the file beside the data directory, generated on first start. */
  private static String password(Path data) {
    Path file = data.resolveSibling(PASSWORD_FILE);
    if (!Files.exists(file)) {
      if (Files.exists(data.resolve("PG_VERSION")) && !PasswordUpgrade.trusting(data)) {
        throw new StartupRefusal("The embedded PostgreSQL in " + data + " requires a password, but " + file
          + " is missing; restore it (it was written when the data directory was made)");
      }
      SecretFiles.write(file, SecretFiles.random(24) + "\n");
    }
    String password = SecretFiles.read(file).trim();
    if (!password.matches("[0-9A-Za-z]{16,}")) {
      throw new StartupRefusal(file + " does not hold a password hookyard wrote (16 or more letters and digits)");
    }
    return password;
  }

  /** Whether process {@code pid} still runs (alive and not a zombie). */
  public static boolean running(long pid) {
    return ProcessHandle.of(pid).map(LeftoverServer::running).orElse(false);
  }

  public int port() {
    return postgres.getPort();
  }

  public PgConnectOptions connectOptions() {
    return new PgConnectOptions()
      .setHost("127.0.0.1")
      .setPort(postgres.getPort())
      .setDatabase("postgres")
      .setUser(USER)
      .setPassword(password);
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      log.warn("Embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
    } finally {
      if (watchdog != null) {
        watchdog.destroy();
      }
      lock.release();
    }
  }

  /** Moves a data directory made with trust authentication to passwords. */
  static final class PasswordUpgrade {

    static boolean trusting(Path data) {
      try {
        return Files.readAllLines(data.resolve("pg_hba.conf"), StandardCharsets.UTF_8).stream()
          .map(String::trim)
          .filter(l -> !l.isEmpty() && !l.startsWith("#"))
          .anyMatch(l -> l.matches(".*\\btrust\\b.*"));
      } catch (IOException e) {
        return false;
      }
    }

    static void ifTrusting(Path data, int port, String password) {
      if (!trusting(data)) {
        return;
      }
      String url = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
      try (Connection c = DriverManager.getConnection(url, USER, password); Statement s = c.createStatement()) {
        // The password is ours (letters and digits only, checked on reading): no quoting issue.
        s.execute("SET password_encryption = 'scram-sha-256'");
        s.execute("ALTER ROLE " + USER + " PASSWORD '" + password + "'");
        Files.writeString(data.resolve("pg_hba.conf"), """
          # Written by hookyard: every connection needs the password (scram-sha-256).
          local all all scram-sha-256
          host  all all 127.0.0.1/32 scram-sha-256
          host  all all ::1/128 scram-sha-256
          """, StandardCharsets.UTF_8);
        s.execute("SELECT pg_reload_conf()");
      } catch (SQLException | IOException e) {
        throw new IllegalStateException("cannot give the embedded PostgreSQL in " + data + " a password: " + e.getMessage(), e);
      }
      log.info("The embedded PostgreSQL in {} accepted connections without a password; it now requires the one in {}",
        data, data.resolveSibling(PASSWORD_FILE));
    }

    private PasswordUpgrade() {
    }
  }

  /** Reads and handles {@code postmaster.pid} left behind in a data directory. */
  static final class LeftoverServer {

    static Optional<Long> postmasterPid(Path data) {
      try {
        Path file = data.resolve("postmaster.pid");
        if (!Files.exists(file)) {
          return Optional.empty();
        }
        String first = Files.readAllLines(file, StandardCharsets.UTF_8).stream().findFirst().orElse("").trim();
        return first.matches("\\d+") ? Optional.of(Long.parseLong(first)) : Optional.empty();
      } catch (IOException e) {
        return Optional.empty();
      }
    }

    /**
     * Called while holding the data directory's lock, so no running hookyard uses it: a
     * PostgreSQL still running on it was left by one that died, and is stopped. Anything
     * else holding it (another user's server, a server started by hand on it) stops this
     * start with a message naming the data directory and the pid.
     */
    static void stopIfOurs(Path data) {
      Optional<Long> pid = postmasterPid(data);
      if (pid.isEmpty()) {
        return;
      }
      Optional<ProcessHandle> process = ProcessHandle.of(pid.get()).filter(LeftoverServer::running);
      if (process.isEmpty()) {
        return; // a stale pid file: PostgreSQL removes it itself on start
      }
      ProcessHandle p = process.get();
      Optional<String> command = p.info().command();
      boolean postgres = command.map(c -> Path.of(c).getFileName().toString()).filter(n -> n.equals("postgres") || n.equals("postmaster")).isPresent();
      boolean sameUser = p.info().user().equals(ProcessHandle.current().info().user());
      if (command.isPresent() && !postgres) {
        // The pid was reused by an unrelated process: PostgreSQL would refuse to start over it.
        log.info("Removing {}: pid {} is no longer PostgreSQL ({})", data.resolve("postmaster.pid"), pid.get(), command.get());
        try {
          Files.deleteIfExists(data.resolve("postmaster.pid"));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        return;
      }
      if (!postgres || !sameUser || !argumentsName(p, data)) {
        throw new StartupRefusal("The embedded PostgreSQL data dir " + data + " is in use by process " + pid.get()
          + (command.map(c -> " (" + c + ")").orElse("")) + ", which hookyard did not start; stop it, or set HOOKYARD_DATA_DIR to another directory");
      }
      log.warn("Stopping PostgreSQL (pid {}) left running on {} by a hookyard process that ended without stopping it", pid.get(), data);
      signal(pid.get(), "INT"); // fast shutdown: no client of the dead process is waited for
      if (!awaitExit(p, Duration.ofSeconds(30))) {
        log.warn("PostgreSQL (pid {}) did not stop within 30 s; killing it", pid.get());
        p.destroyForcibly();
        awaitExit(p, Duration.ofSeconds(10));
      }
    }

    /**
     * Whether a process still runs: alive and not a zombie. A server whose parent was
     * killed has exited once it is a zombie, and stays one until something reaps it.
     */
    static boolean running(ProcessHandle p) {
      if (!p.isAlive()) {
        return false;
      }
      try {
        String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"), StandardCharsets.US_ASCII);
        int end = stat.lastIndexOf(')');
        return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z';
      } catch (IOException e) {
        return p.isAlive(); // no /proc (not Linux), or it just went away
      }
    }

    /** Whether the process's command line names this data directory (when the platform shows it). */
    private static boolean argumentsName(ProcessHandle p, Path data) {
      Optional<String[]> args = p.info().arguments();
      if (args.isEmpty()) {
        return true; // not shown by this platform: the pid file in this directory is what names it
      }
      for (String a : args.get()) {
        if (Path.of(a).toAbsolutePath().normalize().equals(data)) {
          return true;
        }
      }
      return false;
    }

    private static void signal(long pid, String signal) {
      try {
        new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor();
      } catch (IOException e) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroy);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private static boolean awaitExit(ProcessHandle p, Duration wait) {
      long deadline = System.nanoTime() + wait.toNanos();
      long nextLog = System.nanoTime() + 1_000_000_000L;
      while (running(p) && System.nanoTime() < deadline) {
        if (System.nanoTime() > nextLog) {
          log.info("Waiting for PostgreSQL (pid {}) to stop", p.pid());
          nextLog += 5_000_000_000L;
        }
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return !running(p);
        }
      }
      return !running(p);
    }

    private LeftoverServer() {
    }
  }

  /**
   * A small shell process that outlives this JVM: once the JVM is gone (killed, out of
   * memory) it stops the server, unless the server's pid file already names another.
   */
  static final class Watchdog {

    static Process start(long postmasterPid, Path data) {
      if (!Files.isExecutable(Path.of("/bin/sh"))) {
        return null;
      }
      String script = """
        jvm="$1"; pg="$2"; pidfile="$3"
        while kill -0 "$jvm" 2>/dev/null; do sleep 1; done
        if [ "$(head -n 1 "$pidfile" 2>/dev/null)" = "$pg" ]; then kill -INT "$pg" 2>/dev/null; fi
        """;
      try {
        return new ProcessBuilder("/bin/sh", "-c", script, "hookyard-pg-watchdog",
          Long.toString(ProcessHandle.current().pid()), Long.toString(postmasterPid), data.resolve("postmaster.pid").toString())
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      } catch (IOException e) {
        log.warn("No watchdog for the embedded PostgreSQL ({}): it keeps running if this process is killed", e.getMessage());
        return null;
      }
    }

    private Watchdog() {
    }
  }
}
