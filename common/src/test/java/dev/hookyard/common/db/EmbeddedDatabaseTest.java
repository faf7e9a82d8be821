package dev.hookyard.common.db;

import dev.hookyard.common.testing.Eventually;
import io.vertx.pgclient.PgConnectOptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(value = 3, unit = TimeUnit.MINUTES)
class EmbeddedDatabaseTest {

  @TempDir
  Path dataDir;

  private static long pid(Path pg) {
    return EmbeddedDatabase.LeftoverServer.postmasterPid(pg).orElseThrow();
  }

  private static int selectOne(PgConnectOptions o, String password) throws SQLException {
    try (Connection c = DriverManager.getConnection(Database.jdbcUrl(o), o.getUser(), password);
         var rs = c.createStatement().executeQuery("SELECT 1")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** Starts the embedded database in a JVM of its own and returns once it serves. */
  private static Process holder(Path pg, boolean watchdog) throws Exception {
    Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
      "-cp", System.getProperty("java.class.path"), Holder.class.getName(), pg.toString(), Boolean.toString(watchdog))
      .redirectErrorStream(true).start();
    var out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line;
    while ((line = out.readLine()) != null && !line.equals("READY")) {
      // start-up output
    }
    assertThat(line).as("the holder JVM started its database").isEqualTo("READY");
    Thread drain = new Thread(() -> out.lines().forEach(l -> { }));
    drain.setDaemon(true);
    drain.start();
    return p;
  }

  /** Runs an embedded database until killed. */
  public static final class Holder {
    public static void main(String[] args) throws Exception {
      EmbeddedDatabase.start(Path.of(args[0]), Boolean.parseBoolean(args[1]));
      System.out.println("READY");
      System.out.flush();
      Thread.sleep(Long.MAX_VALUE);
    }
  }

  /** Running: a server that exited is gone even while it waits, a zombie, for the init process to reap it. */
  private static boolean alive(long pid) {
    return EmbeddedDatabase.running(pid);
  }

  @Test
  @Timeout(30)
  @DisplayName("A server that exited but was never reaped (a zombie) no longer runs; a live process does")
  void zombieIsNotRunning() throws Exception {
    // sh starts a child, then becomes a sleep that never waits for it: the child exits into a zombie.
    Process parent = new ProcessBuilder("/bin/sh", "-c", "sleep 0 & echo $!; exec sleep 20").start();
    try {
      long child = Long.parseLong(new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.US_ASCII)).readLine().trim());
      Eventually.until(Duration.ofSeconds(10), "the child has exited", () -> !EmbeddedDatabase.running(child));
      assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive)).as("the JDK still calls the zombie alive").contains(true);
      assertThat(EmbeddedDatabase.running(parent.pid())).as("the live parent").isTrue();
    } finally {
      parent.destroyForcibly();
    }
  }

  @Test
  @DisplayName("kill -9 of a process without the watchdog leaves its server running; the next start stops it and starts cleanly")
  void leftoverServerStopped() throws Exception {
    Path pg = dataDir.resolve("pg");
    Process first = holder(pg, false);
    long leftover = pid(pg);
    first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    Thread.sleep(500);
    assertThat(alive(leftover)).as("the server outlived its JVM").isTrue();

    long started = System.nanoTime();
    try (EmbeddedDatabase second = EmbeddedDatabase.start(pg)) {
      System.out.printf("restart over a leftover server: %d ms%n", (System.nanoTime() - started) / 1_000_000);
      assertThat(alive(leftover)).isFalse();
      assertThat(pid(pg)).isNotEqualTo(leftover);
      assertThat(selectOne(second.connectOptions(), second.connectOptions().getPassword())).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("With the watchdog, the server stops by itself when its JVM is killed -9")
  void watchdogStopsServer() throws Exception {
    Path pg = dataDir.resolve("pg");
    Process jvm = holder(pg, true);
    long server = pid(pg);
    jvm.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    Eventually.until("the server of a killed JVM stopped by its watchdog", () -> !alive(server));
    try (EmbeddedDatabase next = EmbeddedDatabase.start(pg)) {
      assertThat(selectOne(next.connectOptions(), next.connectOptions().getPassword())).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("A data dir in use by a running hookyard, or by a PostgreSQL hookyard did not start there, fails fast naming the dir and the pid")
  void heldDataDirRefused() throws Exception {
    Path pg = dataDir.resolve("pg");
    try (EmbeddedDatabase running = EmbeddedDatabase.start(pg)) {
      assertThatThrownBy(() -> EmbeddedDatabase.start(pg))
        .hasMessageContaining(pg.toString())
        .hasMessageContaining("pid " + ProcessHandle.current().pid());
    }

    // Another PostgreSQL (on another data dir) whose pid this dir's pid file names.
    Path otherPg = dataDir.resolve("other").resolve("pg");
    try (EmbeddedDatabase other = EmbeddedDatabase.start(otherPg)) {
      long otherPid = pid(otherPg);
      Files.writeString(pg.resolve("postmaster.pid"), otherPid + "\n" + pg + "\n", StandardCharsets.UTF_8);
      assertThatThrownBy(() -> EmbeddedDatabase.start(pg))
        .hasMessageContaining(pg.toString())
        .hasMessageContaining("process " + otherPid);
      assertThat(ProcessHandle.of(otherPid).map(ProcessHandle::isAlive).orElse(false)).isTrue();
    }

    // A pid file naming a live process that is not PostgreSQL (the pid was reused): removed, and the start goes on.
    Files.writeString(pg.resolve("postmaster.pid"), ProcessHandle.current().pid() + "\n" + pg + "\n", StandardCharsets.UTF_8);
    try (EmbeddedDatabase started = EmbeddedDatabase.start(pg)) {
      assertThat(selectOne(started.connectOptions(), started.connectOptions().getPassword())).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("The server requires a generated password kept owner-only beside the data dir; a data dir made without one is upgraded on start")
  void passwordRequired() throws Exception {
    Path pg = dataDir.resolve("pg");
    Path passwordFile = dataDir.resolve(EmbeddedDatabase.PASSWORD_FILE);
    PgConnectOptions options;
    try (EmbeddedDatabase db = EmbeddedDatabase.start(pg)) {
      options = db.connectOptions();
      assertThat(options.getPassword()).isEqualTo(Files.readString(passwordFile).trim()).hasSizeGreaterThanOrEqualTo(32);
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(passwordFile))).isEqualTo("rw-------");
      assertThat(selectOne(options, options.getPassword())).isEqualTo(1);
      assertThatThrownBy(() -> selectOne(options, "postgres")).hasMessageContaining("password authentication failed");
      assertThat(Files.readString(pg.resolve("pg_hba.conf"))).doesNotContainPattern("(?m)^[^#]*\\btrust\\b");
    }

    // A data dir as older versions left it: any local user let in without a password, no password file.
    Files.writeString(pg.resolve("pg_hba.conf"), "local all all trust\nhost all all 127.0.0.1/32 trust\n");
    Files.delete(passwordFile);
    try (EmbeddedDatabase upgraded = EmbeddedDatabase.start(pg)) {
      PgConnectOptions o = upgraded.connectOptions();
      assertThat(o.getPassword()).isEqualTo(Files.readString(passwordFile).trim()).isNotEqualTo(options.getPassword());
      assertThat(selectOne(o, o.getPassword())).isEqualTo(1);
      assertThatThrownBy(() -> selectOne(o, "anything")).hasMessageContaining("password authentication failed");
    }

    // Password file lost on a protected data dir: a clear refusal, not a wait.
    Files.delete(passwordFile);
    assertThatThrownBy(() -> EmbeddedDatabase.start(pg))
      .hasMessageContaining("requires a password")
      .hasMessageContaining(passwordFile.toString());
  }
}
