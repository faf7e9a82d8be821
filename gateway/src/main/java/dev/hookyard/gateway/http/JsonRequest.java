package dev.hookyard.gateway.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.regex.Pattern;

/**
 * Reads an admin request's JSON body field by field. The first invalid field answers
 * {@code 400 bad_request} naming it, and every later read returns null, so a handler
 * checks {@link #ok()} once after reading what it needs.
 */
public final class JsonRequest {

  private final RoutingContext ctx;
  private final JsonObject body;
  private boolean failed;

  private JsonRequest(RoutingContext ctx, JsonObject body, boolean failed) {
    this.ctx = ctx;
    this.body = body;
    this.failed = failed;
  }

  public static JsonRequest of(RoutingContext ctx) {
    try {
      JsonObject body = ctx.body().asJsonObject();
      if (body == null) {
        ApiErrors.send(ctx, 400, "bad_request", "the request body must be a JSON object");
        return new JsonRequest(ctx, new JsonObject(), true);
      }
      return new JsonRequest(ctx, body, false);
    } catch (RuntimeException e) {
      ApiErrors.send(ctx, 400, "bad_request", "the request body must be a JSON object");
      return new JsonRequest(ctx, new JsonObject(), true);
    }
  }

  public boolean ok() {
    return !failed;
  }

  /** A string matching {@code pattern}; required unless {@code optional}. */
  public String string(String field, Pattern pattern, String expected, boolean optional) {
    if (failed) {
      return null;
    }
    Object v = body.getValue(field);
    if (v == null && optional) {
      return null;
    }
    if (!(v instanceof String s) || !pattern.matcher(s).matches()) {
      return fail(field + " must be " + expected);
    }
    return s;
  }

  /** A positive whole number; required unless {@code optional}. */
  public Long positive(String field, boolean optional) {
    if (failed) {
      return null;
    }
    Object v = body.getValue(field);
    if (v == null && optional) {
      return null;
    }
    if (v instanceof Number n && n.doubleValue() == n.longValue() && n.longValue() > 0) {
      return n.longValue();
    }
    return fail(field + " must be a positive whole number");
  }

  /** A JSON object; required unless {@code optional}. */
  public JsonObject object(String field, boolean optional) {
    if (failed) {
      return null;
    }
    Object v = body.getValue(field);
    if (v == null && optional) {
      return null;
    }
    if (v instanceof JsonObject o) {
      return o;
    }
    return fail(field + " must be a JSON object");
  }

  /** Answers {@code 400 bad_request} with {@code message} for a check the handler made itself. */
  public void reject(String message) {
    if (!failed) {
      fail(message);
    }
  }

  private <T> T fail(String message) {
    failed = true;
    ApiErrors.send(ctx, 400, "bad_request", message);
    return null;
  }
}
