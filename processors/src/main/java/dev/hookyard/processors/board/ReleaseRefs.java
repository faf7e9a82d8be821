package dev.hookyard.processors.board;

import dev.hookyard.common.board.IssueReferences;
import dev.hookyard.common.github.NoGitHubCredentials;
import dev.hookyard.common.logging.FailureCause;
import dev.hookyard.common.logging.RepeatedFailures;
import dev.hookyard.common.queue.RetryLater;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A release pull request (a head branch such as {@code staging} merged into
 * {@code main}/{@code master}) ships every issue it includes: identifiers in its title
 * and body and, when the GitHub API can be asked, in the messages of its commits.
 */
final class ReleaseRefs {

  private static final Logger log = LoggerFactory.getLogger(ReleaseRefs.class);
  private static final RepeatedFailures UNREAD = RepeatedFailures.of(log, Level.WARN,
    "release pull requests read without their commits");

  private final Set<String> heads;
  private final Set<String> bases;
  private final BoardDeployment.CommitSource commits;

  ReleaseRefs(Set<String> heads, Set<String> bases, BoardDeployment.CommitSource commits) {
    this.heads = heads;
    this.bases = bases;
    this.commits = commits;
  }

  boolean isRelease(PullRequestChange pr) {
    return pr.merged() && pr.headRef() != null && pr.baseRef() != null
      && heads.contains(pr.headRef()) && bases.contains(pr.baseRef());
  }

  /** Every identifier the release includes, each as a closing reference. */
  Future<Matches> find(PullRequestChange pr, String prefix) {
    return commits.messages(pr.repository(), pr.number())
      .recover(err -> {
        if (err instanceof RetryLater) {
          // Rate-limited: the job runs again once the limit lifts, and reads the commits then.
          return Future.failedFuture(err);
        }
        if (err instanceof NoGitHubCredentials) {
          log.debug("Commits of release PR #{} of {} not read: {}", pr.number(), pr.repository(), err.getMessage());
          return Future.succeededFuture(List.of());
        }
        FailureCause cause = FailureCause.of(err);
        String example = "PR #" + pr.number() + " of " + pr.repository();
        UNREAD.record(cause, example,
          () -> "Commits of release " + example + " not read; using its title and body: " + cause.text());
        return Future.succeededFuture(List.of());
      })
      .map(messages -> {
        Map<String, IssueReferences.Reference> all = new LinkedHashMap<>();
        IssueReferences.find(prefix, pr.title(), pr.body(), null).forEach(r -> all.putIfAbsent(r.identifier(), r));
        for (String message : messages) {
          IssueReferences.find(prefix, null, message, null).forEach(r -> all.putIfAbsent(r.identifier(),
            new IssueReferences.Reference(r.identifier(), r.strength(), "commit")));
        }
        List<IssueReferences.Reference> closing = new ArrayList<>();
        all.values().forEach(r -> closing.add(new IssueReferences.Reference(r.identifier(), IssueReferences.CLOSES, r.where())));
        return Matches.explicitOnly(closing, "release", "skipped");
      });
  }
}
