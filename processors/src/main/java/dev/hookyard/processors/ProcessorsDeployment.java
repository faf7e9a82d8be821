package dev.hookyard.processors;

import dev.hookyard.common.Queues;
import dev.hookyard.common.github.GitHubApi;
import dev.hookyard.processors.board.BoardDeployment;
import dev.hookyard.processors.github.GitHubProcessing;
import dev.hookyard.processors.matching.MatchingDeployment;
import dev.hookyard.processors.verification.VerificationDeployment;
import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.queue.JobHandler;
import dev.hookyard.common.queue.JobOutcome;
import dev.hookyard.common.queue.JobQueue;
import dev.hookyard.common.queue.JobWorker;
import dev.hookyard.common.queue.QueueSettings;
import io.vertx.core.DeploymentOptions;
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

  private ProcessorsDeployment() {
  }

  public static Future<List<String>> deploy(Vertx vertx, HookyardConfig config, Pool pool) {
    JobQueue queue = new JobQueue(pool);
    GitHubProcessing.Processors processors = GitHubProcessing.create(vertx, config, pool);
    Map<String, JobHandler> events = new LinkedHashMap<>(processors.events());
    // With a token, GitHub says which commits a release PR includes and what a deploy shipped.
    GitHubApi github = config.string(HookyardConfig.GITHUB_TOKEN, null) == null ? null : GitHubApi.of(vertx, config);
    events.put("workflow_run", VerificationDeployment.deploys(vertx, config, pool, github == null ? null : github::contains));
    if (!events.keySet().equals(new HashSet<>(Queues.PROCESSED_EVENTS))) {
      throw new IllegalStateException("processed events and processors disagree: " + events.keySet());
    }
    Map<String, JobHandler> workers = new LinkedHashMap<>();
    events.forEach((event, handler) -> workers.put(Queues.WEBHOOK_PREFIX + event, handler));
    workers.putAll(processors.followUps());
    JobHandler board = BoardDeployment.automation(vertx, config, pool,
      github == null ? BoardDeployment.CommitSource.none() : github::commitMessages);
    workers.put(Queues.BOARD_AUTOMATION, board);
    workers.put(Queues.BOARD_MATCHING, board);
    workers.put(Queues.ISSUE_EMBEDDING, MatchingDeployment.embeddingHandler(vertx, pool));
    // Nobody reads these payloads: the gateway has already checked they are JSON objects.
    workers.put(Queues.UNHANDLED, job -> Future.succeededFuture(JobOutcome.ignored("no processor for event '" + job.event() + "'")));
    workers.put(Queues.SENTRY_ALERTS, VerificationDeployment.sentryAlerts(vertx, pool));
    workers.put(Queues.LOKI_ALERTS, VerificationDeployment.lokiAlerts(vertx, pool));
    // The matcher first: board automation asks it as soon as its worker runs.
    return processors.listen(vertx)
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
      config.integer(HookyardConfig.PROCESSOR_INSTANCES, 1));
    QueueSettings configured = QueueSettings.of(config, queueName);
    // Board jobs that may need the matcher mostly wait on it (an LLM over HTTP), not on
    // the database: more of them run at once unless the queue's concurrency is set.
    if (queueName.equals(Queues.BOARD_MATCHING)
      && config.string("HOOKYARD_QUEUE_" + HookyardConfig.envName(queueName) + "_CONCURRENCY", null) == null) {
      // Claimed no further ahead than the lanes: jobs are not held back behind a
      // prefetched batch while another worker could run them.
      int lanes = Math.max(configured.concurrency(), 16);
      configured = configured.withLanes(lanes, lanes);
    }
    QueueSettings settings = configured;
    log.debug("Deploying {} worker(s) for {}", instances, queueName);
    return vertx.deployVerticle(() -> new JobWorker(queue, queueName, handler, settings),
      new DeploymentOptions().setInstances(instances));
  }
}
