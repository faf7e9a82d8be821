package dev.hookyard.processors.board;

import dev.hookyard.common.Addresses;
import dev.hookyard.common.board.IssueReferences;
import dev.hookyard.common.logging.LogContext;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
        try (LogContext.Scope fields = LogContext.delivery(pr.deliveryId(), null)) {
          log.warn("Matching PR #{} of {} for {} fell back to explicit identifiers: {}", pr.number(), pr.repository(),
            pr.workspace(), err.getMessage());
        }
        return Future.succeededFuture(Matches.explicitOnly(
          IssueReferences.find(prefix, pr.title(), pr.body(), pr.headRef()), "explicit", "unavailable"));
      });
  }
}
