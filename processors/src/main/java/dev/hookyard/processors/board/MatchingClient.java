package dev.hookyard.processors.board;

import dev.hookyard.common.Addresses;
import dev.hookyard.common.board.IssueReferences;
import dev.hookyard.common.logging.FailureCause;
import dev.hookyard.common.logging.LogContext;
import dev.hookyard.common.logging.RepeatedFailures;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Asks the matching verticle (any node's) about a pull request. When no matcher answers
 * in time, explicit identifiers are read here instead: a board never stops linking
 * "fixes ACME-1" because the semantic layers are down.
 */
final class MatchingClient {

  private static final Logger log = LoggerFactory.getLogger(MatchingClient.class);

  private final Vertx vertx;
  private final long timeoutMs;

  MatchingClient(Vertx vertx, long timeoutMs) {
    this.vertx = vertx;
    this.timeoutMs = timeoutMs;
  }

  Future<Matches> match(PullRequestChange pr, String prefix, boolean semantic) {
    JsonObject request = new JsonObject().put("type", "matching.request").put("workspace_id", pr.workspaceId())
      .put("issue_prefix", prefix).put("title", pr.title()).put("body", pr.body()).put("head_ref", pr.headRef())
      .put("semantic", semantic);
    DeliveryOptions options = new DeliveryOptions().setSendTimeout(timeoutMs);
    if (pr.deliveryId() != null) {
      options.addHeader(LogContext.DELIVERY_ID, pr.deliveryId());
    }
    return vertx.eventBus().<JsonObject>request(Addresses.MATCHING_REQUEST, request, options)
      .map(reply -> Matches.fromReply(reply.body()))
      .recover(err -> {
        FailureCause cause = FailureCause.of(err);
        String example = "PR #" + pr.number() + " of " + pr.repository() + " for " + pr.workspace();
        try (LogContext.Scope fields = LogContext.delivery(pr.deliveryId(), null)) {
          RepeatedFailures.of(vertx, log, Level.WARN, "pull requests matched by explicit identifiers only")
            .record(cause, example, () -> "Matching " + example + " fell back to explicit identifiers: " + cause.text());
        }
        return Future.succeededFuture(Matches.explicitOnly(
          IssueReferences.find(prefix, pr.title(), pr.body(), pr.headRef()), "explicit", "unavailable"));
      });
  }
}
