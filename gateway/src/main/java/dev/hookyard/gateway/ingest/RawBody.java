package dev.hookyard.gateway.ingest;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

import java.util.Locale;

/**
 * Reads a webhook body exactly as sent, once its headers have been checked, within
 * three limits: a size cap (a declared length over it is refused before reading, a
 * streamed body as soon as it passes it: 413), the process's {@link BodyBudget} (503 with
 * Retry-After past it) and a whole-body deadline (408), so a slow sender cannot hold a
 * buffer for long. Bytes taken from the budget are given back when the exchange ends,
 * however it ends (answered, refused, timed out, connection reset).
 * The bytes are kept as received, because signatures are computed over them.
 */
final class RawBody {

  /** The limits a body is read under. */
  record Limits(long maxBytes, BodyBudget budget, long timeoutMs) {
  }

  private static final int INITIAL = 1024;
  private static final long GROW_STEP = 4L * 1024 * 1024;

  /** Budget bytes one request holds; released once, whichever way the exchange ends. */
  private static final class Held {
    private final BodyBudget budget;
    private long bytes;
    private boolean done;
    private long timer = -1;

    Held(BodyBudget budget) {
      this.budget = budget;
    }

    boolean take(long n, boolean small) {
      if (n <= 0) {
        return true;
      }
      if (!budget.tryReserve(n, small)) {
        return false;
      }
      bytes += n;
      return true;
    }

    /**
     * Holds budget for a growing buffer of {@code length} bytes: its capacity as the
     * buffer will allocate it (doubling up to 4 MiB, then 4 MiB steps), so what the budget
     * counts is the memory really taken, not only the bytes received.
     */
    boolean growTo(long length) {
      long capacity = length <= GROW_STEP ? Math.max(INITIAL, Long.highestOneBit(Math.max(1, length - 1)) << 1)
        : (length + GROW_STEP - 1) / GROW_STEP * GROW_STEP;
      return capacity <= bytes || take(capacity - bytes, false);
    }

    void release() {
      budget.release(bytes);
      bytes = 0;
    }
  }

  static void read(RoutingContext ctx, Limits limits, Handler<Buffer> received) {
    HttpServerRequest req = ctx.request();
    long declared = parseLong(req.getHeader("Content-Length"));
    if (declared > limits.maxBytes()) {
      tooLarge(ctx, limits.maxBytes());
      return;
    }
    Held held = new Held(limits.budget());
    ctx.addEndHandler(ar -> held.release());
    boolean announced = declared >= 0 && !req.headers().contains("Transfer-Encoding");
    if (announced && !held.take(declared, declared <= BodyBudget.SMALL_BODY)) {
      overBudget(ctx);
      return;
    }
    Buffer body = Buffer.buffer(announced ? (int) declared : INITIAL);
    held.timer = ctx.vertx().setTimer(limits.timeoutMs(), t -> {
      if (!held.done) {
        held.done = true;
        Refusals.refuseEarly(ctx, 408, "request_timeout", "the body did not arrive within " + limits.timeoutMs() + " ms");
      }
    });
    req.handler(chunk -> {
      if (held.done) {
        return;
      }
      if (body.length() + chunk.length() > limits.maxBytes()) {
        finish(ctx, held);
        tooLarge(ctx, limits.maxBytes());
        return;
      }
      // Unannounced (chunked) bodies draw on the budget as their buffer grows, never from the reserved part.
      if (!announced && !held.growTo(body.length() + chunk.length())) {
        finish(ctx, held);
        overBudget(ctx);
        return;
      }
      body.appendBuffer(chunk);
    });
    req.exceptionHandler(err -> {
      finish(ctx, held);
      held.release();
    });
    req.endHandler(v -> {
      if (!held.done) {
        finish(ctx, held);
        received.handle(body);
      }
    });
    // A client that waits for "100 Continue" sends its body only now that the headers have passed.
    if ("100-continue".equalsIgnoreCase(req.getHeader("Expect"))) {
      ctx.response().writeContinue();
    }
    req.resume();
  }

  private static void finish(RoutingContext ctx, Held held) {
    held.done = true;
    if (held.timer >= 0) {
      ctx.vertx().cancelTimer(held.timer);
    }
  }

  /** The media type of a Content-Type header, lower-case, without parameters. */
  static String mediaType(String header) {
    if (header == null) {
      return null;
    }
    int semi = header.indexOf(';');
    return (semi < 0 ? header : header.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }

  private static void tooLarge(RoutingContext ctx, long maxBytes) {
    Refusals.refuseEarly(ctx, 413, "payload_too_large", "body exceeds " + maxBytes + " bytes");
  }

  private static void overBudget(RoutingContext ctx) {
    ctx.response().putHeader("Retry-After", "5");
    Refusals.refuseEarly(ctx, 503, "over_capacity", "too many request bodies are being received at once; retry later");
  }

  private static long parseLong(String s) {
    if (s == null) {
      return -1;
    }
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private RawBody() {
  }
}
