package dev.hookyard.processors;

import dev.hookyard.common.Queues;
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

  /** Everything the processors share: the pool, the user cache, fan-out and metrics. */
  record Processors(Map<String, WebhookEventHandler.EventProcessing> events, Map<String, JobHandler> followUps, UserDirectory users) {
  }

  static Processors processors(Vertx vertx, HookyardConfig config, Pool pool) {
    UserDirectory users = new UserDirectory(pool, Duration.ofMillis(config.longValue(HookyardConfig.USER_CACHE_TTL_MS, 300_000)));
    DeveloperMetrics metrics = new DeveloperMetrics(pool, config.longValue(HookyardConfig.METRICS_DEBOUNCE_MS, 5_000));
    WorkspaceFanout fanout = new WorkspaceFanout(vertx, pool, config.integer(HookyardConfig.FANOUT_CHUNK, 50), Map.of(
      PushProcessor.PROJECT_REFRESH, PushProcessor.projectRefresh(vertx),
      PullRequestProcessor.PULL_REQUEST_CHANGED, PullRequestProcessor.pullRequestChanged(vertx)));
    InstallationProcessor installations = new InstallationProcessor(pool);
    ProjectJobs projects = new ProjectJobs(pool);

    Map<String, WebhookEventHandler.EventProcessing> events = new LinkedHashMap<>();
    events.put("push", new PushProcessor(vertx, pool, users, fanout)::process);
    TrackedFacts facts = new TrackedFacts(pool, users, metrics);
    events.put("pull_request", new PullRequestProcessor(facts, fanout)::process);
    events.put("pull_request_review", new ReviewProcessor(facts)::process);
    events.put("issues", new IssueProcessor(facts)::process);
    // Fix verification is what deploy runs are for; until a fix awaits a deploy they are kept, not acted on.
    events.put("workflow_run", (job, payload) -> Future.succeededFuture(JobOutcome.ignored("no fix attempt awaits a deploy")));
    events.put("installation", installations::installation);
    events.put("installation_repositories", installations::repositories);
    events.put("repository", new RepositoryEventProcessor(pool)::process);
    if (!events.keySet().equals(new java.util.HashSet<>(Queues.PROCESSED_EVENTS))) {
      throw new IllegalStateException("processed events and processors disagree: " + events.keySet());
    }

    Map<String, JobHandler> followUps = new LinkedHashMap<>();
    followUps.put(Queues.INDEX_REPOSITORY, projects::index);
    followUps.put(Queues.REFRESH_PROJECT, projects::refresh);
    followUps.put(Queues.DEVELOPER_METRICS, metrics::recompute);
    followUps.put(Queues.WORKSPACE_FANOUT, fanout::runChunk);
    return new Processors(events, followUps, users);
  }

  public static Future<List<String>> deploy(Vertx vertx, HookyardConfig config, Pool pool) {
    JobQueue queue = new JobQueue(pool);
    Processors processors = processors(vertx, config, pool);
    List<Future<String>> deployments = new ArrayList<>();
    processors.events().forEach((event, processing) -> deployments.add(
      deployWorker(vertx, config, queue, Queues.WEBHOOK_PREFIX + event, event, new WebhookEventHandler(processing))));
    processors.followUps().forEach((name, handler) -> deployments.add(deployWorker(vertx, config, queue, name, name, handler)));
    // Nobody reads these payloads: the gateway has already checked they are JSON objects.
    deployments.add(deployWorker(vertx, config, queue, Queues.UNHANDLED, "unhandled",
      job -> Future.succeededFuture(JobOutcome.ignored("no processor for event '" + job.event() + "'"))));
    // Fix verification is what alerts are for; until a fix is being monitored they are kept, not acted on.
    for (String alerts : List.of(Queues.SENTRY_ALERTS, Queues.LOKI_ALERTS)) {
      deployments.add(deployWorker(vertx, config, queue, alerts, alerts.replace('.', '_'),
        job -> Future.succeededFuture(JobOutcome.ignored("no fix is being monitored"))));
    }
    return processors.users().listen(vertx).compose(v -> Future.all(deployments)).map(all -> {
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
