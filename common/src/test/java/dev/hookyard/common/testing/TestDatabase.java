package dev.hookyard.common.testing;

import dev.hookyard.common.db.Database;
import dev.hookyard.common.db.EmbeddedDatabase;
import io.vertx.pgclient.PgConnectOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real PostgreSQL for tests: {@code HOOKYARD_TEST_DB_URL} when set, else a
 * Testcontainers one when a Docker engine answers, else an embedded server. Each call
 * to {@link #fresh()} gives a new, migrated database, so tests never see each other's rows.
 */
public final class TestDatabase {

  private static final Logger log = LoggerFactory.getLogger(TestDatabase.class);
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private static final String TEMPLATE = "hookyard_template_" + ProcessHandle.current().pid();

  private static PgConnectOptions server;

  private TestDatabase() {
  }

  /** A new database with the schema migrated, on the test server. */
  public static synchronized PgConnectOptions fresh() {
    PgConnectOptions admin = server();
    String name = "hookyard_t" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    execute(admin, "CREATE DATABASE " + name + " TEMPLATE " + TEMPLATE);
    return new PgConnectOptions(admin).setDatabase(name);
  }

  /** A new database with no schema at all, to test migrations themselves. */
  public static synchronized PgConnectOptions blank() {
    PgConnectOptions admin = server();
    String name = "hookyard_b" + ProcessHandle.current().pid() + "_" + COUNTER.incrementAndGet();
    execute(admin, "CREATE DATABASE " + name);
    return new PgConnectOptions(admin).setDatabase(name);
  }

  /** A {@code postgresql://} URL for these options, as {@code HOOKYARD_DB_URL} takes it. */
  public static String url(PgConnectOptions o) {
    String auth = o.getUser() + (o.getPassword() == null ? "" : ":" + o.getPassword());
    return "postgresql://" + auth + "@" + o.getHost() + ":" + o.getPort() + "/" + o.getDatabase();
  }

  /** The server-level connection options (its maintenance database). */
  public static synchronized PgConnectOptions server() {
    if (server == null) {
      server = start();
      execute(server, "DROP DATABASE IF EXISTS " + TEMPLATE);
      execute(server, "CREATE DATABASE " + TEMPLATE);
      Database.connect(new PgConnectOptions(server).setDatabase(TEMPLATE));
    }
    return new PgConnectOptions(server);
  }

  private static PgConnectOptions start() {
    String url = System.getenv("HOOKYARD_TEST_DB_URL");
    if (url != null && !url.isBlank()) {
      log.info("Tests use the PostgreSQL at HOOKYARD_TEST_DB_URL");
      return Database.parseUrl(url);
    }
    if (dockerAvailable()) {
      PostgreSQLContainer container = new PostgreSQLContainer("postgres:17-alpine");
      container.start();
      log.info("Tests use a Testcontainers PostgreSQL");
      return new PgConnectOptions().setHost(container.getHost()).setPort(container.getFirstMappedPort())
        .setDatabase(container.getDatabaseName()).setUser(container.getUsername()).setPassword(container.getPassword());
    }
    try {
      Path dir = Files.createTempDirectory("hookyard-test-pg");
      EmbeddedDatabase embedded = EmbeddedDatabase.start(dir);
      Runtime.getRuntime().addShutdownHook(new Thread(embedded::close, "test-postgres-stop"));
      log.info("Tests use an embedded PostgreSQL on port {}", embedded.port());
      return embedded.connectOptions();
    } catch (java.io.IOException e) {
      throw new IllegalStateException("cannot start embedded PostgreSQL for tests", e);
    }
  }

  private static boolean dockerAvailable() {
    if (Boolean.getBoolean("hookyard.test.skipDocker") || "true".equals(System.getenv("HOOKYARD_TEST_SKIP_DOCKER"))) {
      return false;
    }
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (Throwable t) {
      return false;
    }
  }

  /** Runs one SQL statement over JDBC (blocking; for test setup only). */
  public static void execute(PgConnectOptions options, String sql) {
    try (Connection c = DriverManager.getConnection(Database.jdbcUrl(options), options.getUser(), options.getPassword());
         Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("test SQL failed: " + sql + ": " + e.getMessage(), e);
    }
  }
}
