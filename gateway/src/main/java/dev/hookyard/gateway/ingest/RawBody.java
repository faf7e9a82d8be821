package dev.hookyard.gateway.ingest;

import dev.hookyard.gateway.http.ApiErrors;
import dev.hookyard.common.metrics.HookyardMetrics;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;

/**
 * Reads a webhook body exactly as sent, under a size cap: a declared length over the
 * cap is refused before reading, a streamed body as soon as it passes the cap (413).
 * The bytes are kept as received, because signatures are computed over them.
 */
final class RawBody {

  static void read(RoutingContext ctx, long maxBytes, Handler<Buffer> received) {
    HttpServerRequest req = ctx.request();
    String declared = req.getHeader("Content-Length");
    if (declared != null && parseLong(declared) > maxBytes) {
      tooLarge(ctx, maxBytes);
      return;
    }
    Buffer body = Buffer.buffer();
    boolean[] overflow = {false};
    req.handler(chunk -> {
      if (overflow[0]) {
        return;
      }
      if (body.length() + chunk.length() > maxBytes) {
        overflow[0] = true;
        tooLarge(ctx, maxBytes);
        return;
      }
      body.appendBuffer(chunk);
    });
    req.endHandler(v -> {
      if (!overflow[0]) {
        received.handle(body);
      }
    });
    req.resume();
  }

  /** The media type of a Content-Type header, lower-case, without parameters. */
  static String mediaType(String header) {
    if (header == null) {
      return null;
    }
    int semi = header.indexOf(';');
    return (semi < 0 ? header : header.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }

  /** Refuses a request before its body is read; the connection is closed, not drained. */
  static void refuseEarly(RoutingContext ctx, int status, String code, String message) {
    ctx.response().putHeader("Connection", "close");
    reject(ctx, status, code, message);
  }

  static void reject(RoutingContext ctx, int status, String code, String message) {
    HookyardMetrics.deliveryRejected(code);
    ApiErrors.send(ctx, status, code, message);
  }

  private static void tooLarge(RoutingContext ctx, long maxBytes) {
    refuseEarly(ctx, 413, "payload_too_large", "body exceeds " + maxBytes + " bytes");
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private RawBody() {
  }
}
