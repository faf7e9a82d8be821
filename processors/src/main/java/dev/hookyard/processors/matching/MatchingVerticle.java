package dev.hookyard.processors.matching;

import dev.hookyard.common.Addresses;
import dev.hookyard.common.logging.FailureCause;
import dev.hookyard.common.logging.LogContext;
import dev.hookyard.common.logging.RepeatedFailures;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Answers {@code matching.request} (see {@link Addresses#MATCHING_REQUEST}). A malformed
 * request is failed with 400 and the reason; nothing else fails the message, because
 * {@link IssueMatcher} degrades to the explicit identifiers when the rest cannot run.
 */
final class MatchingVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(MatchingVerticle.class);

  private final IssueMatcher matcher;
  private MessageConsumer<Object> consumer;

  MatchingVerticle(IssueMatcher matcher) {
    this.matcher = matcher;
  }

  @Override
  public Future<?> start() {
    consumer = vertx.eventBus().consumer(Addresses.MATCHING_REQUEST, this::handle);
    // Started only once the consumer is registered (cluster-wide when clustered).
    return consumer.completion();
  }

  @Override
  public Future<?> stop() {
    return consumer.unregister();
  }

  private void handle(Message<Object> message) {
    // The board job that asks names its delivery in a header, so matching's lines (in
    // whichever process serves the request) join that delivery's path in the logs.
    try (LogContext.Scope fields = LogContext.delivery(message.headers().get(LogContext.DELIVERY_ID), null)) {
      match(message);
    }
  }

  private void match(Message<Object> message) {
    MatchRequest request;
    try {
      request = MatchRequest.parse(message.body());
    } catch (IllegalArgumentException e) {
      message.fail(400, e.getMessage());
      return;
    }
    Future<JsonObject> result;
    try {
      result = matcher.match(request);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(LogContext.carried(ar -> {
      if (ar.succeeded()) {
        message.reply(ar.result());
      } else {
        RepeatedFailures.of(vertx, log, Level.ERROR, "matching requests failed").record(FailureCause.of(ar.cause()),
          "workspace " + request.workspaceId(), () -> "Matching in workspace " + request.workspaceId() + " failed", ar.cause());
        message.fail(500, String.valueOf(ar.cause().getMessage()));
      }
    }));
  }
}
