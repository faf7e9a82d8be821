package dev.hookyard.gateway.ingest;

import dev.hookyard.common.webhook.BodyCodec;
import dev.hookyard.common.webhook.FormEncodedPayload;
import dev.hookyard.common.webhook.GitHubSignature;
import dev.hookyard.gateway.http.ApiErrors;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * {@code POST /webhooks/github}. Everything the headers can tell is checked before a
 * byte of the body is read — content type (415), the signature's presence and shape
 * (401), event and delivery headers (400), declared size (413) — then the body is read
 * under the process budget and deadline ({@link RawBody}), its signature verified over
 * the raw bytes, its JSON checked, and it is stored; only a stored delivery is answered 202.
 */
final class WebhookIngest implements Handler<RoutingContext> {

  private static final Pattern EVENT = Pattern.compile("[a-z0-9_]{1,64}");
  private static final String FORM = FormEncodedPayload.CONTENT_TYPE;

  private final Vertx vertx;
  private final GitHubSignature signature;
  /** Worker threads verify large bodies; each needs its own Macs. */
  private final ThreadLocal<GitHubSignature> workerSignature;
  private final DeliveryStore store;
  private final RawBody.Limits limits;

  WebhookIngest(Vertx vertx, GitHubSignature signature, DeliveryStore store, RawBody.Limits limits) {
    this.vertx = vertx;
    this.signature = signature;
    this.workerSignature = ThreadLocal.withInitial(signature::copy);
    this.store = store;
    this.limits = limits;
  }

  @Override
  public void handle(RoutingContext ctx) {
    long started = System.nanoTime();
    HttpServerRequest req = ctx.request();
    String contentType = RawBody.mediaType(req.getHeader("Content-Type"));
    if (!"application/json".equals(contentType) && !FORM.equals(contentType)) {
      Refusals.refuseEarly(ctx, 415, "unsupported_media_type", "Content-Type must be application/json or " + FORM);
      return;
    }
    String sig = req.getHeader(GitHubSignature.HEADER);
    if (sig == null) {
      Refusals.refuseEarly(ctx, 401, "missing_signature", "X-Hub-Signature-256 header is required");
      return;
    }
    if (!GitHubSignature.wellFormed(sig)) {
      Refusals.refuseEarly(ctx, 401, "invalid_signature", "X-Hub-Signature-256 is not sha256= followed by 64 hex digits");
      return;
    }
    String event = req.getHeader("X-GitHub-Event");
    String guid = req.getHeader("X-GitHub-Delivery");
    if (event == null || event.isBlank()) {
      Refusals.refuseEarly(ctx, 400, "missing_header", "X-GitHub-Event header is required");
      return;
    }
    if (guid == null || guid.isBlank()) {
      Refusals.refuseEarly(ctx, 400, "missing_header", "X-GitHub-Delivery header is required");
      return;
    }
    String ev = event.trim().toLowerCase(Locale.ROOT);
    String id = guid.trim();
    if (!EVENT.matcher(ev).matches()) {
      Refusals.refuseEarly(ctx, 400, "invalid_header", "X-GitHub-Event is not an event name");
      return;
    }
    if (!Acknowledgement.DELIVERY_ID.matcher(id).matches()) {
      Refusals.refuseEarly(ctx, 400, "invalid_header", "X-GitHub-Delivery is not a delivery id");
      return;
    }
    RawBody.read(ctx, limits, body -> verify(body, sig, FORM.equals(contentType))
      .onSuccess(v -> received(ctx, contentType, sig, ev, id, body, v, started))
      .onFailure(err -> Acknowledgement.answer(ctx, Future.failedFuture(err), id, ev, started)));
  }

  /** What checking a body found; {@code stored} is its compressed form when that was done off the event loop. */
  private record Verified(boolean signed, WebhookPayload.Checked checked, Buffer stored) {
  }

  /**
   * Small bodies are verified inline (a few microseconds; a hop to a worker would cost
   * more); large ones on a worker thread, so hashing, parsing and compressing 25 MiB
   * never holds an event loop.
   */
  private Future<Verified> verify(Buffer body, String sig, boolean form) {
    if (body.length() <= BodyBudget.SMALL_BODY) {
      return Future.succeededFuture(check(signature, body, sig, form, false));
    }
    return vertx.executeBlocking(() -> check(workerSignature.get(), body, sig, form, true), false);
  }

  private static Verified check(GitHubSignature signature, Buffer body, String sig, boolean form, boolean compress) {
    if (!signature.verify(sig, body)) {
      return new Verified(false, null, null);
    }
    WebhookPayload.Checked checked = WebhookPayload.check(body, form);
    Buffer stored = compress && checked.valid() ? BodyCodec.forThisThread().compress(body) : null;
    return new Verified(true, checked, stored);
  }

  private void received(RoutingContext ctx, String contentType, String sig, String event, String guid, Buffer body,
                        Verified verified, long started) {
    if (!verified.signed()) {
      Refusals.reject(ctx, 401, "invalid_signature", "X-Hub-Signature-256 does not match the body under any configured secret",
        guid, event);
      return;
    }
    WebhookPayload.Checked checked = verified.checked();
    if (!checked.valid()) {
      Refusals.reject(ctx, 400, "invalid_body", checked.error(), guid, event);
      return;
    }
    if (event.equals("ping")) {
      ApiErrors.json(ctx, 200, new JsonObject().put("status", "pong").put("delivery_id", guid));
      return;
    }
    Acknowledgement.answer(ctx, store.store(new DeliveryStore.Incoming(guid, event, checked.action(), checked.repository(), contentType, sig, body,
      verified.stored())), guid, event, started);
  }
}
