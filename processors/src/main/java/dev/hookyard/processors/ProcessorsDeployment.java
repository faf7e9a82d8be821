package dev.hookyard.processors;

import dev.hookyard.common.Queues;
import dev.hookyard.processors.board.BoardDeployment;
import dev.hookyard.processors.github.GitHubProcessing;
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
    events.put("workflow_run", VerificationDeployment.deploys(vertx, config, pool, null));
    if (!events.keySet().equals(new HashSet<>(Queues.PROCESSED_EVENTS))) {
      throw new IllegalStateException("processed events and processors disagree: " + events.keySet());
    }
    List<Future<String>> deployments = new ArrayList<>();
    events.forEach((event, handler) -> deployments.add(
      deployWorker(vertx, config, queue, Queues.WEBHOOK_PREFIX + event, event, handler)));
    processors.followUps().forEach((name, handler) -> deployments.add(deployWorker(vertx, config, queue, name, name, handler)));
    deployments.add(deployWorker(vertx, config, queue, Queues.BOARD_AUTOMATION, Queues.BOARD_AUTOMATION,
      BoardDeployment.automation(vertx, config, pool, BoardDeployment.CommitSource.none())));
    // Nobody reads these payloads: the gateway has already checked they are JSON objects.
    deployments.add(deployWorker(vertx, config, queue, Queues.UNHANDLED, "unhandled",
      job -> Future.succeededFuture(JobOutcome.ignored("no processor for event '" + job.event() + "'"))));
    deployments.add(deployWorker(vertx, config, queue, Queues.SENTRY_ALERTS, "alerts_sentry",
      VerificationDeployment.sentryAlerts(vertx, pool)));
    deployments.add(deployWorker(vertx, config, queue, Queues.LOKI_ALERTS, "alerts_loki",
      VerificationDeployment.lokiAlerts(vertx, pool)));
    return processors.listen(vertx).compose(v -> Future.all(deployments)).map(all -> {
      List<String> ids = new ArrayList<>();
      deployments.forEach(f -> ids.add(f.result()));
      return ids;
    });
  }

  private static Future<String> deployWorker(Vertx vertx, HookyardConfig config, JobQueue queue, String queueName,
                                             String event, JobHandler handler) {
    int instances = config.integer("HOOKYARD_PROCESSOR_" + HookyardConfig.envName(event) + "_INSTANCES",
      config.integer(HookyardConfig.PROCESSOR_INSTANCES, 1));
    QueueSettings settings = QueueSettings.of(config, queueName);
    log.debug("Deploying {} worker(s) for {}", instances, queueName);
    return vertx.deployVerticle(() -> new JobWorker(queue, queueName, handler, settings),
      new DeploymentOptions().setInstances(instances));
  }
}
