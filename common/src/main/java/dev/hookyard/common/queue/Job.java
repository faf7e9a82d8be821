package dev.hookyard.common.queue;

import dev.hookyard.common.webhook.BodyCodec;
import dev.hookyard.common.webhook.FormEncodedPayload;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

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

  /**
   * The delivery's body parsed as the JSON object it was checked to be (JSON or
   * GitHub's form encoding). A job without its delivery, or whose body is not a JSON
   * object, can never succeed: a permanent failure.
   */
  public JsonObject json() {
    if (storedBody == null) {
      throw new PermanentJobFailure("delivery " + deliveryId + " is not stored");
    }
    Buffer body = body();
    try {
      if (FormEncodedPayload.CONTENT_TYPE.equals(contentType)) {
        String json = FormEncodedPayload.payload(body.toString(StandardCharsets.UTF_8));
        return new JsonObject(json == null ? "" : json);
      }
      return new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      throw new PermanentJobFailure("delivery " + deliveryId + " body is not a JSON object");
    }
  }

  /**
   * Whether this job is part of a reprocess of stored history: processors then let the
   * payload rewrite facts stored from the same payload time (an older payload still never
   * overwrites a newer state), so a fixed processor's output replaces the old one.
   */
  public boolean reprocess() {
    return payload != null && payload.containsKey("reprocess");
  }
}
