package dev.hookyard.gateway.ingest;

import dev.hookyard.gateway.http.ApiErrors;
import dev.hookyard.common.metrics.HookyardMetrics;
import dev.hookyard.common.webhook.FormEncodedPayload;
import dev.hookyard.common.webhook.GitHubSignature;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * {@code POST /webhooks/github}: size cap, content type, signature over the raw bytes,
 * headers, body, then store — and only a stored delivery is answered 202.
 */
final class WebhookIngest implements Handler<RoutingContext> {

  private static final Logger log = LoggerFactory.getLogger(WebhookIngest.class);
  private static final Pattern EVENT = Pattern.compile("[a-z0-9_]{1,64}");
  private static final String FORM = FormEncodedPayload.CONTENT_TYPE;

  private final GitHubSignature signature;
  private final DeliveryStore store;
  private final long maxBodyBytes;

  WebhookIngest(GitHubSignature signature, DeliveryStore store, long maxBodyBytes) {
    this.signature = signature;
    this.store = store;
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public void handle(RoutingContext ctx) {
    long started = System.nanoTime();
    String contentType = RawBody.mediaType(ctx.request().getHeader("Content-Type"));
    if (!"application/json".equals(contentType) && !FORM.equals(contentType)) {
      RawBody.refuseEarly(ctx, 415, "unsupported_media_type", "Content-Type must be application/json or " + FORM);
      return;
    }
    RawBody.read(ctx, maxBodyBytes, body -> received(ctx, contentType, body, started));
  }

  private void received(RoutingContext ctx, String contentType, Buffer body, long started) {
    HttpServerRequest req = ctx.request();
    String sig = req.getHeader(GitHubSignature.HEADER);
    if (sig == null) {
      reject(ctx, 401, "missing_signature", "X-Hub-Signature-256 header is required");
      return;
    }
    if (!signature.verify(sig, body)) {
      reject(ctx, 401, "invalid_signature", "X-Hub-Signature-256 does not match the body under any configured secret");
      return;
    }
    String event = req.getHeader("X-GitHub-Event");
    String guid = req.getHeader("X-GitHub-Delivery");
    if (event == null || event.isBlank()) {
      reject(ctx, 400, "missing_header", "X-GitHub-Event header is required");
      return;
    }
    if (guid == null || guid.isBlank()) {
      reject(ctx, 400, "missing_header", "X-GitHub-Delivery header is required");
      return;
    }
    event = event.trim().toLowerCase(Locale.ROOT);
    guid = guid.trim();
    if (!EVENT.matcher(event).matches()) {
      reject(ctx, 400, "invalid_header", "X-GitHub-Event is not an event name");
      return;
    }
    if (!Acknowledgement.DELIVERY_ID.matcher(guid).matches()) {
      reject(ctx, 400, "invalid_header", "X-GitHub-Delivery is not a delivery id");
      return;
    }
    WebhookPayload.Checked checked = WebhookPayload.check(body, FORM.equals(contentType));
    if (!checked.valid()) {
      reject(ctx, 400, "invalid_body", checked.error());
      return;
    }
    if (event.equals("ping")) {
      ApiErrors.json(ctx, 200, new JsonObject().put("status", "pong").put("delivery_id", guid));
      return;
    }
    Acknowledgement.answer(ctx, store.store(new DeliveryStore.Incoming(guid, event, checked.action(), contentType, sig, body)),
      guid, event, started);
  }

  private static void reject(RoutingContext ctx, int status, String code, String message) {
    RawBody.reject(ctx, status, code, message);
  }
}
