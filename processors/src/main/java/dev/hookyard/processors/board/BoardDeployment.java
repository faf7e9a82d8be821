package dev.hookyard.processors.board;

import dev.hookyard.common.config.HookyardConfig;
import dev.hookyard.common.queue.JobHandler;
import dev.hookyard.processors.verification.VerificationDeployment;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.util.LinkedHashSet;
import java.util.List;

/** Builds the board job handler (queues {@code board-automation} and {@code board-matching}) from configuration. */
public final class BoardDeployment {

  /**
   * The handler of the {@code board-automation} and {@code board-matching} queues. Release branches come from
   * {@code HOOKYARD_RELEASE_HEAD_BRANCHES} ({@code staging}) and
   * {@code HOOKYARD_RELEASE_BASE_BRANCHES} ({@code main,master}).
   */
  public static JobHandler automation(Vertx vertx, HookyardConfig config, Pool pool, CommitSource commits) {
    ReleaseRefs releases = new ReleaseRefs(
      new LinkedHashSet<>(config.list(HookyardConfig.RELEASE_HEAD_BRANCHES, HookyardConfig.DEFAULT_RELEASE_HEAD_BRANCHES)),
      new LinkedHashSet<>(config.list(HookyardConfig.RELEASE_BASE_BRANCHES, HookyardConfig.DEFAULT_RELEASE_BASE_BRANCHES)), commits);
    MatchingClient matching = new MatchingClient(vertx, config.longValue(HookyardConfig.MATCHING_TIMEOUT_MS, HookyardConfig.DEFAULT_MATCHING_TIMEOUT_MS));
    return new BoardAutomation(vertx, pool, matching, releases, VerificationDeployment.window(config));
  }

  /** Where a release PR's commit messages come from (the GitHub API, when a token is set). */
  @FunctionalInterface
  public interface CommitSource {
    Future<List<String>> messages(String fullName, int number);

    /** No way to ask GitHub: releases are read from their title and body. */
    static CommitSource none() {
      return (fullName, number) -> Future.succeededFuture(List.of());
    }
  }

  private BoardDeployment() {
  }
}
