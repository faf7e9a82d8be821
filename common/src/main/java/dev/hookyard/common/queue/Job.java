package dev.hookyard.common.queue;

import dev.hookyard.common.webhook.BodyCodec;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * One claimed job. Webhook jobs carry their delivery (event, action, raw body);
 * follow-up jobs carry a JSON payload.
 *
 * @param attempt which attempt this is, starting at 1
 * @param previousRunExpired the previous attempt's lease ran out without an answer
 * @param storedBody the delivery body as stored (a zstd frame); see {@link #body()}
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
  Buffer storedBody) {

  /**
   * The delivery's raw body as GitHub sent it, or null for a job without a delivery.
   * A stored body that cannot be inflated is a permanent failure of this job.
   */
  public Buffer body() {
    if (storedBody == null) {
      return null;
    }
    try {
      return BodyCodec.forThisThread().expand(storedBody);
    } catch (IllegalStateException e) {
      throw new PermanentJobFailure("delivery " + deliveryId + ": " + e.getMessage());
    }
  }
}
