package dev.hookyard.processors.github;

import dev.hookyard.common.queue.Enqueue;
import dev.hookyard.common.Queues;
import dev.hookyard.common.queue.Job;
import dev.hookyard.common.queue.JobOutcome;
import dev.hookyard.common.queue.JobQueue;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code push}: only the default branch of a tracked repository counts. Such a push
 * queues one {@code index-repository} job per (repository, commit SHA) — the dedupe
 * key makes that hold for concurrent deliveries of the same push — stores its commits
 * with their authors mapped to users, and when it touches a project's plan or a
 * manifest, records a project update with a high-priority {@code refresh-project} job.
 * With GitHub credentials configured, its commits' sizes are asked for by
 * {@code commit-sizes} jobs, so the push itself never waits on GitHub.
 * The repository row itself (last push, indexed head) is written by the index job, so
 * a burst of pushes to one repository does not queue up on that row's lock.
 */
final class PushProcessor {

  static final Set<String> MANIFESTS = Set.of(
    "package.json", "pom.xml", "requirements.txt", "pyproject.toml", "Cargo.toml", "go.mod", "Dockerfile");

  static final String PROJECT_REFRESH = "project-refresh";

  private final Vertx vertx;
  private final Pool pool;
  private final UserDirectory users;
  private final WorkspaceFanout fanout;
  private final DeveloperMetrics metrics;
  private final boolean measureCommits;

  /** {@code measureCommits}: GitHub credentials are configured, so commit sizes are worth asking for. */
  PushProcessor(Vertx vertx, Pool pool, UserDirectory users, WorkspaceFanout fanout, DeveloperMetrics metrics,
                boolean measureCommits) {
    this.vertx = vertx;
    this.pool = pool;
    this.users = users;
    this.fanout = fanout;
    this.metrics = metrics;
    this.measureCommits = measureCommits;
  }

  Future<JobOutcome> process(Job job, JsonObject payload) {
    String ref = GitHubPayload.requireString(payload, "ref");
    JsonObject repository = GitHubPayload.requireObject(payload, "repository");
    String name = GitHubPayload.requireString(repository, "full_name");
    String after = GitHubPayload.string(payload, "after");
    if (ref.startsWith("refs/tags/")) {
      return ignored("tag push " + ref + " is not indexed");
    }
    if (GitHubPayload.flag(payload, "deleted") || after == null || after.chars().allMatch(c -> c == '0')) {
      return ignored("branch " + ref + " was deleted");
    }
    List<JsonObject> commits = new ArrayList<>();
    GitHubPayload.array(payload, "commits").forEach(c -> {
      if (c instanceof JsonObject o && GitHubPayload.string(o, "id") != null) {
        commits.add(o);
      }
    });
    List<UserDirectory.Person> authors = commits.stream().map(PushProcessor::author).toList();
    return users.resolve(authors).compose(userIds -> pool.withTransaction(conn -> Repositories.find(conn, repository).compose(known -> {
      if (known == null || !known.tracked()) {
        return Future.succeededFuture(new Result(JobOutcome.ignored("repository " + name + " is not tracked"), () -> { }, null));
      }
      String branch = known.defaultBranch() != null ? known.defaultBranch()
        : Optional.ofNullable(GitHubPayload.string(repository, "default_branch")).orElse(GitHubPayload.string(repository, "master_branch"));
      if (branch == null || !ref.equals("refs/heads/" + branch)) {
        return Future.succeededFuture(new Result(JobOutcome.ignored("ref " + ref + " is not the default branch " + branch), () -> { }, null));
      }
      return store(conn, job, known.id(), ref, after, branch, pushedAt(payload, repository), commits, authors, userIds, touchedFiles(commits));
    }))).compose(result -> {
      result.afterCommit().run();
      // Commits count in the developer metrics, with or without their sizes.
      return result.commitsOf() == null ? Future.succeededFuture(result.outcome())
        : metrics.recomputeSoon(result.commitsOf()).map(result.outcome());
    });
  }

  /** {@code commitsOf}: the repository whose commits were stored, null when none were. */
  private record Result(JobOutcome outcome, Runnable afterCommit, Long commitsOf) {
  }

  private Future<Result> store(SqlClient conn, Job job, long repositoryId, String ref, String sha, String branch, OffsetDateTime pushedAt,
                               List<JsonObject> commits, List<UserDirectory.Person> authors, Map<UserDirectory.Person, Long> userIds,
                               Set<String> touched) {
    JsonObject index = new JsonObject().put("repository_id", repositoryId).put("commit_sha", sha).put("ref", ref)
      .put("pushed_at", pushedAt.toString()).put("default_branch", branch);
    List<String> manifests = touched.stream().filter(f -> MANIFESTS.contains(f.substring(f.lastIndexOf('/') + 1))).toList();
    String[] paths = touched.toArray(new String[0]);
    return Enqueue.one(conn, Queues.INDEX_REPOSITORY, index, "index-repository:" + repositoryId + ":" + sha, 0)
      .compose(indexJob -> insertCommits(conn, repositoryId, ref, commits, authors, userIds)
        .compose(v -> measureCommits && !commits.isEmpty()
          ? CommitSizes.enqueue(conn, repositoryId, sha, commits.stream().map(c -> GitHubPayload.string(c, "id")).toList())
          : Future.succeededFuture(0))
        .compose(sizeJobs -> conn.preparedQuery(PushQueries.PROJECTS_TOUCHED).execute(Tuple.of(repositoryId, paths, !manifests.isEmpty())))
        .compose(rows -> {
          if (!rows.iterator().next().getBoolean(0)) {
            return Future.succeededFuture(new WorkspaceFanout.Fanned(() -> { }, 0));
          }
          JsonObject data = new JsonObject().put("repository_id", repositoryId).put("commit_sha", sha).put("ref", ref)
            .put("paths", new JsonArray(List.copyOf(touched))).put("manifests", new JsonArray(manifests))
            .put("delivery_id", job.deliveryId());
          return fanout.fanOut(conn, repositoryId, PROJECT_REFRESH, data, job.id());
        })
        .map(fanned -> {
          String note = (indexJob.isPresent() ? "queued index job " + indexJob.get() : "index job for " + sha + " already queued")
            + ", " + commits.size() + " commits";
          return new Result(JobOutcome.done(note), () -> {
            indexJob.ifPresent(id -> Enqueue.wake(vertx, Queues.INDEX_REPOSITORY));
            if (measureCommits && !commits.isEmpty()) {
              Enqueue.wake(vertx, Queues.COMMIT_SIZES);
            }
            fanned.afterCommit().run();
          }, commits.isEmpty() ? null : repositoryId);
        }));
  }

  private static Future<Void> insertCommits(SqlClient conn, long repositoryId, String ref, List<JsonObject> commits,
                                            List<UserDirectory.Person> authors, Map<UserDirectory.Person, Long> userIds) {
    if (commits.isEmpty()) {
      return Future.succeededFuture();
    }
    int n = commits.size();
    String[] shas = new String[n];
    String[] messages = new String[n];
    String[] names = new String[n];
    String[] emails = new String[n];
    String[] logins = new String[n];
    Long[] users = new Long[n];
    OffsetDateTime[] times = new OffsetDateTime[n];
    for (int i = 0; i < n; i++) {
      JsonObject c = commits.get(i);
      JsonObject author = GitHubPayload.object(c, "author");
      shas[i] = GitHubPayload.string(c, "id");
      messages[i] = text(GitHubPayload.string(c, "message"));
      names[i] = text(GitHubPayload.string(author, "name"));
      emails[i] = text(GitHubPayload.string(author, "email"));
      logins[i] = GitHubPayload.string(author, "username");
      users[i] = userIds.get(authors.get(i));
      times[i] = GitHubPayload.time(c, "timestamp");
    }
    return conn.preparedQuery(PushQueries.INSERT_COMMITS)
      .execute(Tuple.of(repositoryId, shas, messages, names, emails, logins, users, times, ref)).mapEmpty();
  }

  /** Records project updates and queues their refresh jobs, for one set of workspaces. */
  static WorkspaceFanout.EffectKind projectRefresh(Vertx vertx) {
    return data -> (conn, workspaces) -> {
      Long[] ids = workspaces.stream().map(Repositories.Workspace::id).toArray(Long[]::new);
      return conn.preparedQuery(PushQueries.INSERT_PROJECT_UPDATES).execute(Tuple.of(
          data.getLong("repository_id"), ids, strings(data.getJsonArray("paths")), strings(data.getJsonArray("manifests")),
          data.getString("commit_sha"), data.getString("ref"), data.getString("delivery_id")))
        .compose(rows -> {
          List<JsonObject> payloads = new ArrayList<>();
          List<String> keys = new ArrayList<>();
          rows.forEach(r -> {
            payloads.add(new JsonObject().put("project_update_id", r.getLong("id")).put("project_id", r.getLong("project_id"))
              .put("commit_sha", data.getString("commit_sha")));
            keys.add("refresh-project:" + r.getLong("id"));
          });
          return Enqueue.all(conn, Queues.REFRESH_PROJECT, payloads, keys, Queues.HIGH_PRIORITY);
        })
        .map(created -> () -> {
          if (created > 0) {
            Enqueue.wake(vertx, Queues.REFRESH_PROJECT);
          }
        });
    };
  }

  private static String[] strings(JsonArray a) {
    String[] out = new String[a == null ? 0 : a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.getString(i);
    }
    return out;
  }

  private static UserDirectory.Person author(JsonObject commit) {
    JsonObject a = GitHubPayload.object(commit, "author");
    return a == null ? null : new UserDirectory.Person(null, GitHubPayload.string(a, "username"), GitHubPayload.string(a, "email"));
  }

  private static Set<String> touchedFiles(List<JsonObject> commits) {
    Set<String> files = new LinkedHashSet<>();
    for (JsonObject c : commits) {
      for (String kind : List.of("added", "modified", "removed")) {
        GitHubPayload.array(c, kind).forEach(f -> {
          if (f instanceof String s) {
            files.add(s);
          }
        });
      }
    }
    return files;
  }

  /** PostgreSQL text cannot hold NUL characters; commit messages occasionally do. */
  private static String text(String s) {
    return s == null || s.indexOf('\0') < 0 ? s : s.replace("\0", "");
  }

  private static OffsetDateTime pushedAt(JsonObject payload, JsonObject repository) {
    OffsetDateTime t = GitHubPayload.time(repository, "pushed_at");
    if (t == null) {
      t = GitHubPayload.time(GitHubPayload.object(payload, "head_commit"), "timestamp");
    }
    return t != null ? t : OffsetDateTime.now(ZoneOffset.UTC);
  }

  private static Future<JobOutcome> ignored(String reason) {
    return Future.succeededFuture(JobOutcome.ignored(reason));
  }
}
