package dev.hookyard.processors.github;

import dev.hookyard.common.Queues;
import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.github.GitHubApi;
import dev.hookyard.common.queue.JobHandler;
import dev.hookyard.common.queue.JobOutcome;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The GitHub event processors and the follow-up work they ask for, built once per
 * process around one user cache, one fan-out and one metrics rollup.
 */
public final class GitHubProcessing {

  private GitHubProcessing() {
  }

  /** Everything the processors share: the pool, the user cache, fan-out and metrics. */
  public record Processors(Map<String, JobHandler> events, Map<String, JobHandler> followUps, UserDirectory users) {

    /** Subscribes what must hear of changes made elsewhere in the cluster (new users). */
    public Future<Void> listen(Vertx vertx) {
      return users.listen(vertx);
    }
  }

  /** {@code github}: the one GitHub client (plans, commit sizes); it may have no credentials. */
  public static Processors create(Vertx vertx, HookyardConfig config, Pool pool, GitHubApi github) {
    UserDirectory users = new UserDirectory(pool, Duration.ofMillis(config.longValue(HookyardConfig.USER_CACHE_TTL_MS, HookyardConfig.DEFAULT_USER_CACHE_TTL_MS)));
    DeveloperMetrics metrics = new DeveloperMetrics(pool, config.longValue(HookyardConfig.METRICS_DEBOUNCE_MS, HookyardConfig.DEFAULT_METRICS_DEBOUNCE_MS));
    WorkspaceFanout fanout = new WorkspaceFanout(vertx, pool, config.integer(HookyardConfig.FANOUT_CHUNK, HookyardConfig.DEFAULT_FANOUT_CHUNK), Map.of(
      PushProcessor.PROJECT_REFRESH, PushProcessor.projectRefresh(vertx),
      PullRequestProcessor.PULL_REQUEST_CHANGED, PullRequestProcessor.pullRequestChanged(vertx)));
    InstallationProcessor installations = new InstallationProcessor(pool);
    ProjectJobs projects = new ProjectJobs(pool);

    Map<String, WebhookEventHandler.EventProcessing> events = new LinkedHashMap<>();
    PushProcessor push = new PushProcessor(vertx, pool, users, fanout, metrics, github.configured());
    events.put("push", push::process);
    TrackedFacts facts = new TrackedFacts(pool, users, metrics);
    events.put("pull_request", new PullRequestProcessor(vertx, facts, fanout)::process);
    events.put("pull_request_review", new ReviewProcessor(facts)::process);
    events.put("issues", new IssueProcessor(facts)::process);
    events.put("installation", installations::installation);
    events.put("installation_repositories", installations::repositories);
    events.put("repository", new RepositoryEventProcessor(pool)::process);

    Map<String, JobHandler> followUps = new LinkedHashMap<>();
    followUps.put(Queues.INDEX_REPOSITORY, projects.indexing());
    followUps.put(Queues.REFRESH_PROJECT, new ProjectRefresh(vertx, pool, github)::refresh);
    followUps.put(Queues.COMMIT_SIZES, new CommitSizes(pool, github, metrics)::measure);
    followUps.put(Queues.DEVELOPER_METRICS, metrics::recompute);
    followUps.put(Queues.WORKSPACE_FANOUT, fanout::runChunk);
    Map<String, JobHandler> handlers = new LinkedHashMap<>();
    events.forEach((event, processing) -> handlers.put(event, new WebhookEventHandler(processing)));
    handlers.put("push", WebhookEventHandler.batched(push::process, push::processAll));
    for (String event : List.of("pull_request", "pull_request_review", "issues")) {
      WebhookEventHandler.EventProcessing processing = events.get(event);
      handlers.put(event, WebhookEventHandler.batched(processing, (jobs, payloads) -> facts.storeAll(jobs, payloads, processing)));
    }
    return new Processors(handlers, followUps, users);
  }
}
