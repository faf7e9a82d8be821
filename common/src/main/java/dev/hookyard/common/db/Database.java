package dev.hookyard.common.db;

import dev.hookyard.common.config.HookyardConfig;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;

/**
 * The one PostgreSQL hookyard stores everything in: the server named by
 * {@code HOOKYARD_DB_URL}, or an embedded one in the data directory. Opening it runs
 * the migrations. Blocking: call it from {@code main} or a worker, never an event loop.
 */
public final class Database implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Database.class);

  private final PgConnectOptions connectOptions;
  private final EmbeddedDatabase embedded;

  private Database(PgConnectOptions connectOptions, EmbeddedDatabase embedded) {
    this.connectOptions = connectOptions;
    this.embedded = embedded;
  }

  /** Opens the configured database (starting the embedded one if no URL is set) and migrates it. */
  public static Database open(HookyardConfig config, Path dataDir) {
    String url = config.string(HookyardConfig.DB_URL, null);
    Database db;
    if (url != null) {
      db = new Database(parseUrl(url), null);
    } else {
      EmbeddedDatabase embedded = EmbeddedDatabase.start(dataDir.resolve("pg"));
      db = new Database(embedded.connectOptions(), embedded);
    }
    // A process that stops in the middle of a transaction (frozen, cut off) keeps its
    // session and its locks for as long as its connection stays open: the server ends
    // such a session, so the worker that takes over its job is not held by them.
    long idleInTransaction = config.longValue(HookyardConfig.DB_IDLE_IN_TRANSACTION_TIMEOUT_MS,
      config.longValue(HookyardConfig.QUEUE_LEASE_MS, HookyardConfig.DEFAULT_QUEUE_LEASE_MS));
    db.connectOptions.addProperty("idle_in_transaction_session_timeout", String.valueOf(Math.max(0, idleInTransaction)));
    // hookyard's statements are short and planned for small result sets; the JIT compiler
    // (on by default where PostgreSQL has LLVM) spent 1.7 s compiling a rollup that runs in
    // 0.2 s.
    db.connectOptions.addProperty("jit", "off");
    try {
      db.migrate();
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
    return db;
  }

  /** Connects to an existing database and migrates it. */
  public static Database connect(PgConnectOptions options) {
    Database db = new Database(options, null);
    db.migrate();
    return db;
  }

  /** Parses {@code postgresql://user:pass@host:port/db} (also {@code postgres://}). */
  public static PgConnectOptions parseUrl(String url) {
    String u = url.startsWith("jdbc:") ? url.substring(5) : url;
    try {
      return PgConnectOptions.fromUri(u);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("HOOKYARD_DB_URL is not a postgresql:// URL: " + e.getMessage(), e);
    }
  }

  public static String jdbcUrl(PgConnectOptions o) {
    return "jdbc:postgresql://" + o.getHost() + ":" + o.getPort() + "/" + o.getDatabase();
  }

  /** Applies the migrations; Flyway's advisory lock makes concurrent starts safe. */
  public void migrate() {
    long started = System.nanoTime();
    log.info("Connecting to {} to check the schema", jdbcUrl(connectOptions));
    var result = Flyway.configure()
      .dataSource(jdbcUrl(connectOptions), connectOptions.getUser(), connectOptions.getPassword())
      .locations("classpath:db/migration")
      .load()
      .migrate();
    long ms = (System.nanoTime() - started) / 1_000_000;
    if (result.migrationsExecuted == 0) {
      log.info("Database schema up to date ({} ms)", ms);
    } else {
      log.info("Database schema migrated to version {} ({} migrations, {} ms)", result.targetSchemaVersion, result.migrationsExecuted, ms);
    }
  }

  public PgConnectOptions connectOptions() {
    return new PgConnectOptions(connectOptions);
  }

  public boolean isEmbedded() {
    return embedded != null;
  }

  /** A pool on this database; the pool is shared by every verticle of the process. */
  public Pool pool(Vertx vertx, int maxSize) {
    return createPool(vertx, connectOptions, maxSize, "hookyard-gateway");
  }

  /**
   * A pool for work that a database crash may make hookyard do again, but never lose:
   * claims, settlements and the processors' transactions, whose input (a stored
   * delivery, a queued job) is already durable. Its commits are asynchronous
   * ({@code synchronous_commit=off}): they return before the WAL is flushed, and a crash
   * of PostgreSQL itself (not of hookyard) can lose the last few hundred milliseconds of
   * them — always a suffix of the WAL, so a job whose facts are lost is back to queued or
   * running and runs again, its handler being idempotent. Nothing answered to a client
   * (a delivery's {@code 202}, an admin write) goes through this pool.
   */
  public Pool workPool(Vertx vertx, int maxSize) {
    return createPool(vertx, new PgConnectOptions(connectOptions).addProperty("synchronous_commit", "off"), maxSize, "hookyard-work");
  }

  /**
   * Marks a statement that PostgreSQL plans anew at every call, for its current table
   * sizes: one whose best plan depends on a number the statistics cannot know, such as how
   * many jobs wait right now (the queue's claim). A cached statement's generic plan is
   * made once, from whatever the statistics said then, and kept until they change.
   */
  public static final String PLANNED_EACH_CALL = "/* planned each call */\n";

  /** Statement texts longer than this are still prepared once per connection (the driver's default is 2,048). */
  static final int CACHED_SQL_LIMIT = 32_768;

  /** Whether the driver keeps a statement prepared on its connection. */
  static boolean cached(String sql) {
    return sql.length() <= CACHED_SQL_LIMIT && !sql.startsWith(PLANNED_EACH_CALL);
  }

  public static Pool createPool(Vertx vertx, PgConnectOptions options, int maxSize) {
    return createPool(vertx, options, maxSize, "hookyard");
  }

  /**
   * {@code name}: the pool's {@code pool_name} in the {@code vertx_pool_*} metrics and its
   * sessions' {@code application_name}.
   */
  public static Pool createPool(Vertx vertx, PgConnectOptions options, int maxSize, String name) {
    PgConnectOptions o = new PgConnectOptions(options)
      // Its sessions say which pool they are in pg_stat_activity.
      .addProperty("application_name", name)
      .setCachePreparedStatements(true)
      .setPreparedStatementCacheSqlFilter(Database::cached)
      .setPipeliningLimit(16);
    PoolOptions poolOptions = new PoolOptions()
      .setMaxSize(maxSize)
      .setMaxWaitQueueSize(4096)
      // No acquisition timer: in Vert.x 5.0.8 a timer firing for a waiter the pool has
      // already served logs "Promise already completed" under load (vert.x issue 6169).
      // Every caller bounds its own wait: ingest answers 503 after its timeout, jobs
      // time out within their lease.
      .setConnectionTimeout(0)
      .setShared(false)
      .setName(name);
    return PgBuilder.pool().with(poolOptions).connectingTo(o).using(vertx).build();
  }

  @Override
  public void close() {
    if (embedded != null) {
      embedded.close();
    }
  }
}
