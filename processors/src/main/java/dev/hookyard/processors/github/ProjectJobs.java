package dev.hookyard.processors.github;

import dev.hookyard.common.queue.BatchJobHandler;
import dev.hookyard.common.queue.Job;
import dev.hookyard.common.queue.JobOutcome;
import dev.hookyard.common.queue.PermanentJobFailure;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The {@code index-repository} job a push asks for: records the pushed commit as the
 * repository's indexed head and the push as its last (a late job for an older push
 * moves neither back). The push's other follow-ups are {@link ProjectRefresh} and
 * {@link CommitSizes}.
 */
final class ProjectJobs {

  private final Pool pool;

  ProjectJobs(Pool pool) {
    this.pool = pool;
  }

  /** The {@code index-repository} queue's handler: one job alone, or a batch of them set-based. */
  BatchJobHandler indexing() {
    return new BatchJobHandler() {
      @Override
      public Future<JobOutcome> handle(Job job) {
        return indexAll(List.of(job)).map(outcomes -> outcomes.get(0));
      }

      @Override
      public Future<List<JobOutcome>> handleAll(List<Job> jobs) {
        return indexAll(jobs);
      }
    };
  }

  /** What a repository's row says, and will say once the jobs read so far are applied. */
  private static final class Indexed {
    OffsetDateTime indexedAt;
    String defaultBranch;
    String sha;
    OffsetDateTime newest;
    boolean branchLearnt;

    Indexed(OffsetDateTime indexedAt, String defaultBranch) {
      this.indexedAt = indexedAt;
      this.defaultBranch = defaultBranch;
    }
  }

  /**
   * Index jobs in claim order, as if run one after another: a job for an older push than
   * the one indexed changes nothing; the others move the indexed head forward. Their
   * repositories are read in one statement and each is written once, with what the last
   * of its jobs leaves, so a burst of pushes to one repository takes its row lock once.
   */
  Future<List<JobOutcome>> indexAll(List<Job> jobs) {
    List<JsonObject> payloads = new ArrayList<>(jobs.size());
    List<OffsetDateTime> pushedAt = new ArrayList<>(jobs.size());
    for (Job job : jobs) {
      JsonObject p = payload(job, "repository_id", "commit_sha");
      String pushed = p.getString("pushed_at");
      payloads.add(p);
      pushedAt.add(pushed == null ? OffsetDateTime.now(ZoneOffset.UTC) : OffsetDateTime.parse(pushed));
    }
    Long[] ids = payloads.stream().map(p -> p.getLong("repository_id")).distinct().toArray(Long[]::new);
    return pool.preparedQuery(PushQueries.INDEXED_AT).execute(Tuple.of((Object) ids)).compose(rows -> {
      Map<Long, Indexed> repositories = new TreeMap<>();
      rows.forEach(r -> repositories.put(r.getLong("id"), new Indexed(r.getOffsetDateTime("indexed_at"), r.getString("default_branch"))));
      List<JobOutcome> outcomes = new ArrayList<>(jobs.size());
      for (int i = 0; i < jobs.size(); i++) {
        JsonObject p = payloads.get(i);
        OffsetDateTime at = pushedAt.get(i);
        Indexed r = repositories.get(p.getLong("repository_id"));
        if (r == null || (r.indexedAt != null && r.indexedAt.isAfter(at) && r.defaultBranch != null)) {
          outcomes.add(JobOutcome.ignored("a newer push is already indexed, or the repository is gone"));
          continue;
        }
        if (r.indexedAt == null || !r.indexedAt.isAfter(at)) {
          r.indexedAt = at;
          r.sha = p.getString("commit_sha");
          r.newest = at;
        }
        if (r.defaultBranch == null && p.getString("default_branch") != null) {
          r.defaultBranch = p.getString("default_branch");
          r.branchLearnt = true;
        }
        outcomes.add(JobOutcome.done("indexed " + p.getString("commit_sha")));
      }
      List<Long> changed = new ArrayList<>();
      List<String> shas = new ArrayList<>();
      List<OffsetDateTime> times = new ArrayList<>();
      List<String> branches = new ArrayList<>();
      repositories.forEach((id, r) -> {
        if (r.newest != null || r.branchLearnt) {
          changed.add(id);
          shas.add(r.sha);
          times.add(r.newest);
          branches.add(r.defaultBranch);
        }
      });
      if (changed.isEmpty()) {
        return Future.succeededFuture(outcomes);
      }
      return pool.preparedQuery(PushQueries.MARK_INDEXED).execute(Tuple.of(changed.toArray(new Long[0]), shas.toArray(new String[0]),
          times.toArray(new OffsetDateTime[0]), branches.toArray(new String[0])))
        .map(outcomes);
    });
  }

  private static JsonObject payload(Job job, String... required) {
    JsonObject p = job.payload();
    for (String field : required) {
      if (p == null || p.getValue(field) == null) {
        throw new PermanentJobFailure(job.queue() + " job " + job.id() + " has no " + field);
      }
    }
    return p;
  }
}
