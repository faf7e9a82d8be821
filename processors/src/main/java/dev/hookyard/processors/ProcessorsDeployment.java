package dev.hookyard.processors;

import dev.hookyard.common.Queues;
import dev.hookyard.common.github.GitHubApi;
import dev.hookyard.common.operations.OperationSteps;
import dev.hookyard.processors.board.BoardDeployment;
import dev.hookyard.processors.github.GitHubProcessing;
import dev.hookyard.processors.matching.MatchingDeployment;
import dev.hookyard.processors.verification.VerificationDeployment;
import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.queue.IngestFirst;
import dev.hookyard.common.queue.JobHandler;
import dev.hookyard.common.queue.JobOutcome;
import dev.hookyard.common.queue.JobQueue;
import dev.hookyard.common.queue.JobWorker;
import dev.hookyard.common.queue.QueueSettings;
import dev.hookyard.common.queue.WorkThreads;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deploys the processors role: one worker verticle per GitHub event type with a
 * processor, each draining its own queue, plus one for events nobody handles.
 * Instance counts: {@code HOOKYARD_PROCESSOR_INSTANCES} for all, or
 * {@code HOOKYARD_PROCESSOR_<EVENT>_INSTANCES} for one event.
 */
public final class ProcessorsDeployment {

  private static final Logger log = LoggerFactory.getLogger(ProcessorsDeployment.class);

  /**
   * Lanes of the queues a pull request's board change passes through, unless configured.
   * Their jobs spend most of their time waiting, on database round trips (a pull request,
   * a named issue's move) or on the matcher and an LLM (board-matching), not on the CPU:
   * at four lanes a burst of 50 pull requests a second queued up behind them for seconds.
   */
  private static final Map<String, Integer> BOARD_PATH_LANES = Map.of(
    Queues.WEBHOOK_PREFIX + "pull_request", 12,
    Queues.BOARD_AUTOMATION, 8,
    Queues.BOARD_MATCHING, 16);

  private ProcessorsDeployment() {
  }

  public static Future<List<String>> deploy(Vertx vertx, HookyardConfig config, Pool pool) {
    JobQueue queue = new JobQueue(pool);
    // One client for every GitHub call: installation tokens of the App where known, else the personal token.
    GitHubApi github = GitHubApi.of(vertx, config, pool);
    GitHubProcessing.Processors processors = GitHubProcessing.create(vertx, config, pool, github);
    Map<String, JobHandler> events = new LinkedHashMap<>(processors.events());
    // With credentials, GitHub says which commits a release PR includes and what a deploy shipped.
    events.put("workflow_run", VerificationDeployment.deploys(vertx, config, pool, github.configured() ? github::contains : null));
    if (!events.keySet().equals(new HashSet<>(Queues.PROCESSED_EVENTS))) {
      throw new IllegalStateException("processed events and processors disagree: " + events.keySet());
    }
    Map<String, JobHandler> workers = new LinkedHashMap<>();
    events.forEach((event, handler) -> workers.put(Queues.WEBHOOK_PREFIX + event, handler));
    workers.putAll(processors.followUps());
    JobHandler board = BoardDeployment.automation(vertx, config, pool,
      github.configured() ? github::commitMessages : BoardDeployment.CommitSource.none());
    workers.put(Queues.BOARD_AUTOMATION, board);
    workers.put(Queues.BOARD_MATCHING, board);
    workers.put(Queues.ISSUE_EMBEDDING, MatchingDeployment.embeddingHandler(vertx, config, pool));
    // Nobody reads these payloads: the gateway has already checked they are JSON objects.
    workers.put(Queues.UNHANDLED, job -> Future.succeededFuture(JobOutcome.ignored("no processor for event '" + job.event() + "'")));
    workers.put(Queues.SENTRY_ALERTS, VerificationDeployment.sentryAlerts(vertx, pool));
    workers.put(Queues.LOKI_ALERTS, VerificationDeployment.lokiAlerts(vertx, pool));
    workers.put(Queues.OPERATIONS, new OperationSteps(vertx, pool,
      config.integer(HookyardConfig.OPERATIONS_BATCH, HookyardConfig.DEFAULT_OPERATIONS_BATCH),
      config.integer(HookyardConfig.OPERATIONS_RATE, HookyardConfig.DEFAULT_OPERATIONS_RATE)));
    // The matcher first: board automation asks it as soon as its worker runs.
    return processors.listen(vertx)
      .compose(v -> IngestFirst.of(vertx).listen())
      .compose(v -> MatchingDeployment.deploy(vertx, config, pool))
      .compose(matching -> {
        List<Future<String>> deployed = new ArrayList<>();
        workers.forEach((queueName, handler) -> deployed.add(deployWorker(vertx, config, queue, queueName, handler)));
        return Future.all(deployed).map(all -> {
          List<String> ids = new ArrayList<>(matching);
          deployed.forEach(f -> ids.add(f.result()));
          return ids;
        });
      });
  }

  /** Instances: {@code HOOKYARD_PROCESSOR_<EVENT>_INSTANCES} (by event for webhook queues, else by queue name). */
  private static Future<String> deployWorker(Vertx vertx, HookyardConfig config, JobQueue queue, String queueName,
                                             JobHandler handler) {
    String name = queueName.startsWith(Queues.WEBHOOK_PREFIX) ? queueName.substring(Queues.WEBHOOK_PREFIX.length()) : queueName;
    int instances = config.integer("HOOKYARD_PROCESSOR_" + HookyardConfig.envName(name) + "_INSTANCES",
      config.integer(HookyardConfig.PROCESSOR_INSTANCES, HookyardConfig.DEFAULT_PROCESSOR_INSTANCES));
    QueueSettings configured = QueueSettings.of(config, queueName);
    boolean lanesConfigured = config.string("HOOKYARD_QUEUE_" + HookyardConfig.envName(queueName) + "_CONCURRENCY", null) != null;
    Integer lanes = BOARD_PATH_LANES.get(queueName);
    if (lanes != null && !lanesConfigured) {
      int n = Math.max(configured.concurrency(), lanes);
      // Board jobs that may need the matcher are claimed no further ahead than their lanes:
      // none is held back behind a prefetched batch while another worker could run it.
      configured = configured.withLanes(queueName.equals(Queues.BOARD_MATCHING) ? n : Math.max(configured.batchSize(), n), n);
    }
    QueueSettings settings = configured;
    log.debug("Deploying {} worker(s) for {}", instances, queueName);
    return vertx.deployVerticle(() -> new JobWorker(queue, queueName, handler, settings),
      WorkThreads.options(config, instances));
  }
}
