package dev.hookyard.gateway.ingest;

import dev.hookyard.gateway.http.BearerToken;
import dev.hookyard.common.Queues;
import dev.hookyard.common.webhook.HmacSha256;
import io.vertx.core.Handler;
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
 */
final class AlertIngest implements Handler<RoutingContext> {

  enum Source { SENTRY, LOKI }

  private final Source source;
  private final HmacSha256 sentrySignature;
  private final BearerToken lokiToken;
  private final DeliveryStore store;
  private final long maxBodyBytes;

  private AlertIngest(Source source, HmacSha256 sentrySignature, BearerToken lokiToken, DeliveryStore store, long maxBodyBytes) {
    this.source = source;
    this.sentrySignature = sentrySignature;
    this.lokiToken = lokiToken;
    this.store = store;
    this.maxBodyBytes = maxBodyBytes;
  }

  static AlertIngest sentry(String secret, DeliveryStore store, long maxBodyBytes) {
    return new AlertIngest(Source.SENTRY, new HmacSha256(List.of(secret)), null, store, maxBodyBytes);
  }

  static AlertIngest loki(String token, DeliveryStore store, long maxBodyBytes) {
    return new AlertIngest(Source.LOKI, null, new BearerToken(token), store, maxBodyBytes);
  }

  @Override
  public void handle(RoutingContext ctx) {
    long started = System.nanoTime();
    String contentType = RawBody.mediaType(ctx.request().getHeader("Content-Type"));
    if (!"application/json".equals(contentType)) {
      RawBody.refuseEarly(ctx, 415, "unsupported_media_type", "Content-Type must be application/json");
      return;
    }
    RawBody.read(ctx, maxBodyBytes, body -> received(ctx, contentType, body, started));
  }

  private void received(RoutingContext ctx, String contentType, Buffer body, long started) {
    String signature = null;
    if (source == Source.SENTRY) {
      signature = ctx.request().getHeader("Sentry-Hook-Signature");
      if (!sentrySignature.verifyHex(signature, body)) {
        RawBody.reject(ctx, 401, "invalid_signature", "Sentry-Hook-Signature does not match the body");
        return;
      }
    } else {
      if (!lokiToken.matches(ctx.request().getHeader("Authorization"))) {
        RawBody.reject(ctx, 401, "unauthorized", "a valid bearer token is required");
        return;
      }
    }
    // Alertmanager says whether a notification fires or resolves in "status".
    WebhookPayload.Checked checked = WebhookPayload.check(body, false, source == Source.SENTRY ? "action" : "status");
    if (!checked.valid()) {
      RawBody.reject(ctx, 400, "invalid_body", checked.error());
      return;
    }
    String event = source == Source.SENTRY ? Queues.SENTRY_EVENT : Queues.LOKI_EVENT;
    String id = deliveryId(ctx, body);
    String action = source == Source.SENTRY ? resource(ctx, checked.action()) : checked.action();
    Acknowledgement.answer(ctx, store.store(new DeliveryStore.Incoming(id, event, action, contentType, signature, body)),
      id, event, started);
  }

  private String deliveryId(RoutingContext ctx, Buffer body) {
    String prefix = source == Source.SENTRY ? "sentry:" : "loki:";
    String requestId = source == Source.SENTRY ? ctx.request().getHeader("Request-ID") : null;
    if (requestId != null && Acknowledgement.DELIVERY_ID.matcher(prefix + requestId.trim()).matches()) {
      return prefix + requestId.trim();
    }
    try {
      return prefix + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body.getBytes())).substring(0, 40);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 unavailable", e);
    }
  }

  /** Sentry names what a hook is about in a header ({@code issue}, {@code event_alert} …). */
  private static String resource(RoutingContext ctx, String action) {
    String resource = ctx.request().getHeader("Sentry-Hook-Resource");
    if (resource == null || resource.isBlank()) {
      return action;
    }
    return action == null ? resource.trim() : resource.trim() + "." + action;
  }
}
