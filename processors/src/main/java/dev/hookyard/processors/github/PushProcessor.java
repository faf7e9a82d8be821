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
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
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
    return processAll(List.of(job), List.of(payload)).map(outcomes -> outcomes.get(0));
  }

  /** A push to a branch, as read from its payload before the database is asked. */
  private record Push(Job job, JsonObject payload, String ref, String after, JsonObject repository, Repositories.Named named,
                      List<JsonObject> commits, List<UserDirectory.Person> authors, Set<String> touched) {
  }

  /** A push that counts: to the default branch of a tracked repository. */
  private record Counted(int index, Push push, long repositoryId, String branch) {
  }

  /**
   * Pushes of several jobs in one transaction and set-based: one lookup of their
   * repositories, one statement for every commit, one for every index job, one for
   * the projects they may touch. The outcomes are those of the jobs one by one.
   */
  Future<List<JobOutcome>> processAll(List<Job> jobs, List<JsonObject> payloads) {
    JobOutcome[] outcomes = new JobOutcome[jobs.size()];
    List<Push> pushes = new ArrayList<>();
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < jobs.size(); i++) {
      JsonObject payload = payloads.get(i);
      String ref = GitHubPayload.requireString(payload, "ref");
      JsonObject repository = GitHubPayload.requireObject(payload, "repository");
      Repositories.Named named = Repositories.Named.of(repository);
      String after = GitHubPayload.string(payload, "after");
      if (ref.startsWith("refs/tags/")) {
        outcomes[i] = JobOutcome.ignored("tag push " + ref + " is not indexed");
      } else if (GitHubPayload.flag(payload, "deleted") || after == null || after.chars().allMatch(c -> c == '0')) {
        outcomes[i] = JobOutcome.ignored("branch " + ref + " was deleted");
      } else {
        List<JsonObject> commits = new ArrayList<>();
        GitHubPayload.array(payload, "commits").forEach(c -> {
          if (c instanceof JsonObject o && GitHubPayload.string(o, "id") != null) {
            commits.add(o);
          }
        });
        pushes.add(new Push(jobs.get(i), payload, ref, after, repository, named, commits,
          commits.stream().map(PushProcessor::author).toList(), touchedFiles(commits)));
        at.add(i);
      }
    }
    if (pushes.isEmpty()) {
      return Future.succeededFuture(List.of(outcomes));
    }
    List<UserDirectory.Person> authors = pushes.stream().flatMap(p -> p.authors().stream()).toList();
    List<Counted> counted = new ArrayList<>();
    return users.resolve(authors).compose(userIds -> pool.withTransaction(conn ->
      Repositories.findAll(conn, pushes.stream().map(Push::named).toList()).compose(found -> {
        counted.clear();
        for (int k = 0; k < pushes.size(); k++) {
          Push push = pushes.get(k);
          Repositories.Known known = found.get(push.named());
          if (known == null || !known.tracked()) {
            outcomes[at.get(k)] = JobOutcome.ignored(Repositories.untracked(push.named(), known));
            continue;
          }
          String branch = known.defaultBranch() != null ? known.defaultBranch()
            : Optional.ofNullable(GitHubPayload.string(push.repository(), "default_branch"))
                .orElse(GitHubPayload.string(push.repository(), "master_branch"));
          if (branch == null || !push.ref().equals("refs/heads/" + branch)) {
            outcomes[at.get(k)] = JobOutcome.ignored("ref " + push.ref() + " is not the default branch " + branch);
            continue;
          }
          counted.add(new Counted(at.get(k), push, known.id(), branch));
        }
        return store(conn, counted, userIds, outcomes);
      }))).compose(afterCommit -> {
        afterCommit.run();
        // Commits count in the developer metrics, with or without their sizes.
        List<Future<Void>> recomputed = counted.stream().filter(c -> !c.push().commits().isEmpty())
          .map(Counted::repositoryId).distinct().map(metrics::recomputeSoon).toList();
        return Future.all(recomputed).map(v -> List.of(outcomes));
      });
  }

  /** Writes the counted pushes' index jobs, commits and project updates; fills their outcomes. */
  private Future<Runnable> store(SqlClient conn, List<Counted> counted, Map<UserDirectory.Person, Long> userIds, JobOutcome[] outcomes) {
    if (counted.isEmpty()) {
      return Future.succeededFuture(() -> { });
    }
    // One index job per repository of the batch, for its newest push (of two at one time,
    // the later): the job of an older push would find a newer one indexed and change
    // nothing, and in a monorepo a batch's pushes are all one repository's.
    Map<Long, Counted> newest = new LinkedHashMap<>();
    Map<Long, OffsetDateTime> newestAt = new HashMap<>();
    for (Counted c : counted) {
      OffsetDateTime at = pushedAt(c.push().payload(), c.push().repository());
      OffsetDateTime seen = newestAt.get(c.repositoryId());
      if (seen == null || !at.isBefore(seen)) {
        newest.put(c.repositoryId(), c);
        newestAt.put(c.repositoryId(), at);
      }
    }
    List<JsonObject> index = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (Counted c : newest.values()) {
      index.add(new JsonObject().put("repository_id", c.repositoryId()).put("commit_sha", c.push().after()).put("ref", c.push().ref())
        .put("pushed_at", newestAt.get(c.repositoryId()).toString()).put("default_branch", c.branch()));
      keys.add(indexKey(c));
    }
    Long[] repositoryIds = counted.stream().map(Counted::repositoryId).distinct().toArray(Long[]::new);
    List<Counted> measured = measureCommits ? counted.stream().filter(c -> !c.push().commits().isEmpty()).toList() : List.of();
    return Enqueue.allByKey(conn, Queues.INDEX_REPOSITORY, index, keys, 0).compose(created ->
      insertCommits(conn, counted, userIds)
        .compose(v -> {
          Future<Void> sized = Future.succeededFuture();
          for (Counted c : measured) {
            List<String> shas = c.push().commits().stream().map(commit -> GitHubPayload.string(commit, "id")).toList();
            sized = sized.compose(x -> CommitSizes.enqueue(conn, c.repositoryId(), c.push().after(), shas).mapEmpty());
          }
          return sized;
        })
        .compose(v -> conn.preparedQuery(PushQueries.PROJECT_PLANS).execute(Tuple.of((Object) repositoryIds)))
        .compose(plans -> {
          Map<Long, Set<String>> plansByRepository = new HashMap<>();
          plans.forEach(r -> plansByRepository.computeIfAbsent(r.getLong("repository_id"), id -> new HashSet<>()).add(r.getString("plan_path")));
          List<Runnable> after = new ArrayList<>();
          if (!created.isEmpty()) {
            after.add(() -> Enqueue.wake(vertx, Queues.INDEX_REPOSITORY));
          }
          if (!measured.isEmpty()) {
            after.add(() -> Enqueue.wake(vertx, Queues.COMMIT_SIZES));
          }
          Future<Void> refreshed = Future.succeededFuture();
          for (int k = 0; k < counted.size(); k++) {
            Counted c = counted.get(k);
            Counted indexed = newest.get(c.repositoryId());
            Long indexJob = created.get(indexKey(indexed));
            String indexing = indexed != c && !indexed.push().after().equals(c.push().after())
              ? "indexed with the newer push " + indexed.push().after() + " of its batch"
              : indexJob != null ? "queued index job " + indexJob : "index job for " + c.push().after() + " already queued";
            outcomes[c.index()] = JobOutcome.done(indexing + ", " + c.push().commits().size() + " commits");
            Set<String> projectPlans = plansByRepository.getOrDefault(c.repositoryId(), Set.of());
            List<String> manifests = c.push().touched().stream().filter(f -> MANIFESTS.contains(f.substring(f.lastIndexOf('/') + 1))).toList();
            if (projectPlans.isEmpty() || (manifests.isEmpty() && c.push().touched().stream().noneMatch(projectPlans::contains))) {
              continue;
            }
            JsonObject data = new JsonObject().put("repository_id", c.repositoryId()).put("commit_sha", c.push().after())
              .put("ref", c.push().ref()).put("paths", new JsonArray(List.copyOf(c.push().touched())))
              .put("manifests", new JsonArray(manifests)).put("delivery_id", c.push().job().deliveryId());
            refreshed = refreshed.compose(v -> fanout.fanOut(conn, c.repositoryId(), PROJECT_REFRESH, data, c.push().job().id())
              .map(fanned -> {
                after.add(fanned.afterCommit());
                return null;
              }));
          }
          return refreshed.map(v -> () -> after.forEach(Runnable::run));
        }));
  }

  private static String indexKey(Counted c) {
    return "index-repository:" + c.repositoryId() + ":" + c.push().after();
  }

  /** Every commit of the counted pushes in one statement. */
  private static Future<Void> insertCommits(SqlClient conn, List<Counted> counted, Map<UserDirectory.Person, Long> userIds) {
    int n = counted.stream().mapToInt(c -> c.push().commits().size()).sum();
    if (n == 0) {
      return Future.succeededFuture();
    }
    Long[] repositories = new Long[n];
    String[] refs = new String[n];
    String[] shas = new String[n];
    String[] messages = new String[n];
    String[] names = new String[n];
    String[] emails = new String[n];
    String[] logins = new String[n];
    Long[] users = new Long[n];
    OffsetDateTime[] times = new OffsetDateTime[n];
    int i = 0;
    for (Counted c : counted) {
      List<JsonObject> commits = c.push().commits();
      for (int j = 0; j < commits.size(); j++, i++) {
        JsonObject commit = commits.get(j);
        JsonObject author = GitHubPayload.object(commit, "author");
        repositories[i] = c.repositoryId();
        refs[i] = c.push().ref();
        shas[i] = GitHubPayload.string(commit, "id");
        messages[i] = text(GitHubPayload.string(commit, "message"));
        names[i] = text(GitHubPayload.string(author, "name"));
        emails[i] = text(GitHubPayload.string(author, "email"));
        logins[i] = GitHubPayload.string(author, "username");
        users[i] = userIds.get(c.push().authors().get(j));
        times[i] = GitHubPayload.time(commit, "timestamp");
      }
    }
    return conn.preparedQuery(PushQueries.INSERT_COMMITS)
      .execute(Tuple.of(repositories, shas, messages, names, emails, logins, users, times, refs)).mapEmpty();
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
