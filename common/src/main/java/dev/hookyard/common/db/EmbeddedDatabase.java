package dev.hookyard.common.db;

import io.vertx.pgclient.PgConnectOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real PostgreSQL server run from binaries packaged in the jar, its files kept in a
 * directory so data survives restarts. Durable by configuration: the library's default
 * of {@code synchronous_commit=off} would let a crash lose acknowledged deliveries.
 */
public final class EmbeddedDatabase implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

  private final EmbeddedPostgres postgres;

  private EmbeddedDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  /** Starts PostgreSQL on a free loopback port with its data in {@code dir} (created if absent). */
  public static EmbeddedDatabase start(Path dir) {
    long started = System.nanoTime();
    try {
      Files.createDirectories(dir);
      EmbeddedPostgres pg = EmbeddedPostgres.builder()
        .setDataDirectory(dir)
        .setCleanDataDirectory(false)
        .setPGStartupWait(Duration.ofSeconds(60))
        .setRegisterShutdownHook(false)
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("fsync", "on")
        .setServerConfig("full_page_writes", "on")
        .setServerConfig("max_connections", "200")
        .setServerConfig("listen_addresses", "127.0.0.1")
        .setServerConfig("shared_buffers", "256MB")
        .setServerConfig("wal_buffers", "32MB")
        .setServerConfig("max_wal_size", "4GB")
        .setServerConfig("checkpoint_timeout", "15min")
        // Deliveries fill a new page every few rows: a background writer that keeps up
        // spares the inserting backends from flushing WAL to evict dirty pages themselves.
        .setServerConfig("bgwriter_delay", "10ms")
        .setServerConfig("bgwriter_lru_maxpages", "1000")
        .setServerConfig("bgwriter_lru_multiplier", "10")
        .start();
      log.info("Embedded PostgreSQL on 127.0.0.1:{} with data in {} ({} ms)",
        pg.getPort(), dir.toAbsolutePath(), (System.nanoTime() - started) / 1_000_000);
      return new EmbeddedDatabase(pg);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start embedded PostgreSQL in " + dir, e);
    }
  }

  public int port() {
    return postgres.getPort();
  }

  public PgConnectOptions connectOptions() {
    return new PgConnectOptions()
      .setHost("127.0.0.1")
      .setPort(postgres.getPort())
      .setDatabase("postgres")
      .setUser("postgres")
      .setPassword("postgres");
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      log.warn("Embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
    }
  }
}
