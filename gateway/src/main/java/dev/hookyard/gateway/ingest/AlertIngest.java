package dev.hookyard.gateway.ingest;

import dev.hookyard.common.Queues;
import dev.hookyard.common.webhook.BodyCodec;
import dev.hookyard.common.webhook.HmacSha256;
import dev.hookyard.gateway.http.BearerToken;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Alert webhooks, stored and queued exactly like GitHub deliveries (one transaction,
 * 202 only once stored) for the fix-verification processors:
 * <ul>
 *   <li>{@code POST /webhooks/sentry}: {@code Sentry-Hook-Signature} is the hex HMAC-SHA256
 *   of the body under {@code HOOKYARD_SENTRY_SECRET}; the delivery id is Sentry's
 *   {@code Request-ID}, else a digest of the body.</li>
 *   <li>{@code POST /webhooks/loki}: Loki / Alertmanager notifications with
 *   {@code Authorization: Bearer HOOKYARD_LOKI_TOKEN}; Alertmanager has no delivery id and
 *   resends identical bodies, so the id is a digest of the body.</li>
 * </ul>
 * As for GitHub, what the headers can tell (content type, the signature's shape, the
 * bearer token) is checked before the body is read, under the same budget and deadline.
 */
final class AlertIngest implements Handler<RoutingContext> {

  enum Source { SENTRY, LOKI }

  private final Vertx vertx;
  private final Source source;
  private final HmacSha256 sentrySignature;
  private final ThreadLocal<HmacSha256> workerSignature;
  private final BearerToken lokiToken;
  private final DeliveryStore store;
  private final RawBody.Limits limits;

  private AlertIngest(Vertx vertx, Source source, HmacSha256 sentrySignature, BearerToken lokiToken, DeliveryStore store,
                      RawBody.Limits limits) {
    this.vertx = vertx;
    this.source = source;
    this.sentrySignature = sentrySignature;
    this.workerSignature = sentrySignature == null ? null : ThreadLocal.withInitial(sentrySignature::copy);
    this.lokiToken = lokiToken;
    this.store = store;
    this.limits = limits;
  }

  static AlertIngest sentry(Vertx vertx, String secret, DeliveryStore store, RawBody.Limits limits) {
    return new AlertIngest(vertx, Source.SENTRY, new HmacSha256(List.of(secret)), null, store, limits);
  }

  static AlertIngest loki(Vertx vertx, String token, DeliveryStore store, RawBody.Limits limits) {
    return new AlertIngest(vertx, Source.LOKI, null, new BearerToken(token), store, limits);
  }

  @Override
  public void handle(RoutingContext ctx) {
    long started = System.nanoTime();
    String contentType = RawBody.mediaType(ctx.request().getHeader("Content-Type"));
    if (!"application/json".equals(contentType)) {
      Refusals.refuseEarly(ctx, 415, "unsupported_media_type", "Content-Type must be application/json");
      return;
    }
    String signature = null;
    if (source == Source.SENTRY) {
      signature = ctx.request().getHeader("Sentry-Hook-Signature");
      if (!HmacSha256.wellFormedHex(signature)) {
        Refusals.refuseEarly(ctx, 401, "invalid_signature", "Sentry-Hook-Signature must be the 64-hex-digit HMAC of the body");
        return;
      }
    } else if (!lokiToken.matches(ctx.request().getHeader("Authorization"))) {
      Refusals.refuseEarly(ctx, 401, "unauthorized", "a valid bearer token is required");
      return;
    }
    String sig = signature;
    RawBody.read(ctx, limits, body -> verify(ctx, body, sig)
      .onSuccess(v -> received(ctx, contentType, sig, v, started))
      .onFailure(err -> Acknowledgement.answer(ctx, Future.failedFuture(err), "(unread)", event(), started)));
  }

  /** What checking an alert body found: whether it is signed, its JSON, its delivery id, its stored form. */
  private record Verified(boolean signed, WebhookPayload.Checked checked, String id, Buffer body, Buffer stored) {
  }

  /** Small bodies are checked inline; large ones (hashing, parsing, compressing) on a worker thread. */
  private Future<Verified> verify(RoutingContext ctx, Buffer body, String sig) {
    String requestId = source == Source.SENTRY ? ctx.request().getHeader("Request-ID") : null;
    if (body.length() <= BodyBudget.SMALL_BODY) {
      return Future.succeededFuture(check(sentrySignature, body, sig, requestId, false));
    }
    return vertx.executeBlocking(() -> check(workerSignature == null ? null : workerSignature.get(), body, sig, requestId, true),
      false);
  }

  private Verified check(HmacSha256 hmac, Buffer body, String sig, String requestId, boolean compress) {
    if (source == Source.SENTRY && !hmac.verifyHex(sig, body)) {
      return new Verified(false, null, null, body, null);
    }
    // Alertmanager says whether a notification fires or resolves in "status".
    WebhookPayload.Checked checked = WebhookPayload.check(body, false, source == Source.SENTRY ? "action" : "status");
    if (!checked.valid()) {
      return new Verified(true, checked, null, body, null);
    }
    return new Verified(true, checked, deliveryId(requestId, body), body,
      compress ? BodyCodec.forThisThread().compress(body) : null);
  }

  private void received(RoutingContext ctx, String contentType, String sig, Verified verified, long started) {
    if (!verified.signed()) {
      Refusals.reject(ctx, 401, "invalid_signature", "Sentry-Hook-Signature does not match the body", null, event());
      return;
    }
    if (!verified.checked().valid()) {
      Refusals.reject(ctx, 400, "invalid_body", verified.checked().error(), verified.id(), event());
      return;
    }
    String event = event();
    String action = source == Source.SENTRY ? resource(ctx, verified.checked().action()) : verified.checked().action();
    Acknowledgement.answer(ctx, store.store(new DeliveryStore.Incoming(verified.id(), event, action, null, contentType, sig,
      verified.body(), verified.stored())), verified.id(), event, started);
  }

  private String event() {
    return source == Source.SENTRY ? Queues.SENTRY_EVENT : Queues.LOKI_EVENT;
  }

  private String deliveryId(String requestId, Buffer body) {
    String prefix = source == Source.SENTRY ? "sentry:" : "loki:";
    if (requestId != null && Acknowledgement.DELIVERY_ID.matcher(prefix + requestId.trim()).matches()) {
      return prefix + requestId.trim();
    }
    try {
      return prefix + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body.getBytes())).substring(0, 40);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  /**
   * Sentry names what a hook is about in a header ({@code issue}, {@code event_alert} …).
   * A header that is not a short identifier (a NUL, free text) counts as absent.
   */
  private static String resource(RoutingContext ctx, String action) {
    String resource = WebhookPayload.identifier(ctx.request().getHeader("Sentry-Hook-Resource"));
    if (resource == null) {
      return action;
    }
    return action == null ? resource : resource + "." + action;
  }
}
