package dev.hookyard.processors.board;

import dev.hookyard.common.Addresses;
import dev.hookyard.common.board.IssueReferences;
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
    return vertx.eventBus().<JsonObject>request(Addresses.MATCHING_REQUEST, request, new DeliveryOptions().setSendTimeout(timeoutMs))
      .map(reply -> Matches.fromReply(reply.body()))
      .recover(err -> {
        log.warn("Matching PR #{} of {} for {} fell back to explicit identifiers: {}", pr.number(), pr.repository(),
          pr.workspace(), err.getMessage());
        return Future.succeededFuture(Matches.explicitOnly(
          IssueReferences.find(prefix, pr.title(), pr.body(), pr.headRef()), "explicit", "unavailable"));
      });
  }
}
