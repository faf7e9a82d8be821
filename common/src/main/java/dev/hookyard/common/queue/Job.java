package dev.hookyard.common.queue;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * One claimed job. Webhook jobs carry their delivery (event, action, raw body);
 * follow-up jobs carry a JSON payload.
 *
 * @param attempt which attempt this is, starting at 1
 * @param previousRunExpired the previous attempt's lease ran out without an answer
 */
public record Job(
  long id,
  String queue,
  String deliveryId,
  JsonObject payload,
  int priority,
  int attempt,
  boolean previousRunExpired,
  String event,
  String action,
  String contentType,
  Buffer body) {
}
