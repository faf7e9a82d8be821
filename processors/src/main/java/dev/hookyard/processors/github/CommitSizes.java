package dev.hookyard.processors.github;

import dev.hookyard.common.Queues;
import dev.hookyard.common.github.GitHubApi;
import dev.hookyard.common.github.GitHubApiException;
import dev.hookyard.common.github.NoGitHubCredentials;
import dev.hookyard.common.queue.Enqueue;
import dev.hookyard.common.queue.Job;
import dev.hookyard.common.queue.JobOutcome;
import dev.hookyard.common.queue.PermanentJobFailure;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code commit-sizes} job: additions and deletions of a push's commits, one
 * {@code GET /repos/{owner}/{repo}/commits/{sha}} each, a few at a time. Only commits
 * whose size is still unknown are asked for, and sizes read before a failure are kept,
 * so a job postponed by a rate limit carries on where it stopped. A commit GitHub no
 * longer has (404) is left without a size.
 */
final class CommitSizes {

  /** Commits per job: a push of thousands is spread over several jobs. */
  static final int PER_JOB = 100;
  /** Calls in flight at once per job. */
  static final int IN_FLIGHT = 4;

  private final Pool pool;
  private final GitHubApi github;
  private final DeveloperMetrics metrics;

  CommitSizes(Pool pool, GitHubApi github, DeveloperMetrics metrics) {
    this.pool = pool;
    this.github = github;
    this.metrics = metrics;
  }

  /** Queues the jobs for commits {@code shas} of one push, in the push's transaction; returns how many were new. */
  static Future<Integer> enqueue(SqlClient conn, long repositoryId, String pushedSha, List<String> shas) {
    List<JsonObject> payloads = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (int from = 0, n = 0; from < shas.size(); from += PER_JOB, n++) {
      payloads.add(new JsonObject().put("repository_id", repositoryId)
        .put("shas", new JsonArray(new ArrayList<>(shas.subList(from, Math.min(shas.size(), from + PER_JOB))))));
      keys.add("commit-sizes:" + repositoryId + ":" + pushedSha + ":" + n);
    }
    return Enqueue.all(conn, Queues.COMMIT_SIZES, payloads, keys, 0);
  }

  Future<JobOutcome> measure(Job job) {
    JsonObject p = job.payload();
    Object repo = p == null ? null : p.getValue("repository_id");
    JsonArray shas = p == null ? null : p.getJsonArray("shas");
    if (!(repo instanceof Number id) || shas == null) {
      throw new PermanentJobFailure("commit-sizes job " + job.id() + " names no repository or commits");
    }
    long repositoryId = id.longValue();
    String[] asked = new String[shas.size()];
    for (int i = 0; i < asked.length; i++) {
      if (!(shas.getValue(i) instanceof String sha)) {
        throw new PermanentJobFailure("commit-sizes job " + job.id() + " names a commit that is not a SHA");
      }
      asked[i] = sha;
    }
    return pool.preparedQuery(PushQueries.UNSIZED_COMMITS).execute(Tuple.tuple().addLong(repositoryId).addArrayOfString(asked))
      .compose(rows -> {
        List<String> wanted = new ArrayList<>();
        String fullName = null;
        for (Row r : rows) {
          fullName = r.getString("full_name");
          wanted.add(r.getString("sha"));
        }
        if (wanted.isEmpty()) {
          return Future.succeededFuture(JobOutcome.done("every commit of the job already has its size"));
        }
        Measured measured = new Measured();
        return wave(fullName, wanted, 0, measured)
          .compose(v -> store(repositoryId, measured.sizes))
          .compose(stored -> stored > 0 ? metrics.recomputeSoon(repositoryId).map(stored) : Future.succeededFuture(stored))
          .compose(stored -> {
            if (measured.failure instanceof NoGitHubCredentials) {
              return Future.succeededFuture(JobOutcome.ignored(measured.failure.getMessage()));
            }
            if (measured.failure != null) {
              return Future.failedFuture(measured.failure);
            }
            return Future.succeededFuture(JobOutcome.done(stored + " of " + wanted.size() + " commits sized"
              + (measured.missing > 0 ? ", " + measured.missing + " unknown to GitHub" : "")));
          });
      });
  }

  private static final class Measured {
    final List<GitHubApi.CommitSize> sizes = new ArrayList<>();
    int missing;
    Throwable failure;
  }

  /** Asks for {@link #IN_FLIGHT} commits at a time until all are read or a call fails for a reason other than 404. */
  private Future<Void> wave(String fullName, List<String> shas, int from, Measured measured) {
    if (from >= shas.size() || measured.failure != null) {
      return Future.succeededFuture();
    }
    List<Future<GitHubApi.CommitSize>> calls = new ArrayList<>();
    for (String sha : shas.subList(from, Math.min(shas.size(), from + IN_FLIGHT))) {
      calls.add(github.commitSize(fullName, sha));
    }
    return Future.join(calls).transform(ar -> {
      for (Future<GitHubApi.CommitSize> call : calls) {
        if (call.succeeded()) {
          measured.sizes.add(call.result());
        } else if (call.cause() instanceof GitHubApiException e && e.notFound()) {
          measured.missing++;
        } else if (measured.failure == null) {
          measured.failure = call.cause();
        }
      }
      return wave(fullName, shas, from + IN_FLIGHT, measured);
    });
  }

  private Future<Integer> store(long repositoryId, List<GitHubApi.CommitSize> sizes) {
    if (sizes.isEmpty()) {
      return Future.succeededFuture(0);
    }
    String[] shas = sizes.stream().map(GitHubApi.CommitSize::sha).toArray(String[]::new);
    Integer[] additions = sizes.stream().map(GitHubApi.CommitSize::additions).toArray(Integer[]::new);
    Integer[] deletions = sizes.stream().map(GitHubApi.CommitSize::deletions).toArray(Integer[]::new);
    return pool.preparedQuery(PushQueries.SET_COMMIT_SIZES).execute(Tuple.of(repositoryId, shas, additions, deletions))
      .map(rows -> rows.rowCount());
  }
}
