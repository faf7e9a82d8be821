package dev.hookyard.gateway.http;

import io.vertx.ext.web.RoutingContext;

/** Query parameters of admin requests; a bad one answers {@code 400 bad_request} naming it. */
public final class QueryParams {

  /** The routes that read query parameters: the admin API, the delivery list, the board page and bridge. */
  public static final java.util.List<String> QUERIED = java.util.List.of("/api/v1/*", "/webhooks/github/events", "/board/*", "/eventbus/*");

  /**
   * Passes the request on once its query string decodes; a malformed percent-escape
   * ({@code ?cursor=%%%}) is the caller's {@code 400}, not a failure inside the handler
   * that first reads a parameter.
   */
  public static void decodable(RoutingContext ctx) {
    try {
      ctx.request().params();
    } catch (IllegalArgumentException e) {
      ApiErrors.send(ctx, 400, "bad_request", "the query string is not valid percent-encoding");
      return;
    }
    ctx.next();
  }

  /** {@code name} as a whole number in [min, max], {@code fallback} when absent; null once 400 is answered. */
  public static Integer intParam(RoutingContext ctx, String name, int fallback, int min, int max) {
    String v = ctx.request().getParam(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // answered below
    }
    ApiErrors.send(ctx, 400, "bad_request", name + " must be a number from " + min + " to " + max);
    return null;
  }

  /** {@code name}, or null when absent or blank. */
  public static String optional(RoutingContext ctx, String name) {
    String v = ctx.request().getParam(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  /** {@code name} as a time ({@link Times}); null when absent, or once 400 is answered (the response has ended). */
  public static java.time.OffsetDateTime time(RoutingContext ctx, String name) {
    String v = optional(ctx, name);
    if (v == null) {
      return null;
    }
    try {
      return Times.parse(v);
    } catch (java.time.format.DateTimeParseException e) {
      ApiErrors.send(ctx, 400, "bad_request", name + " must be " + Times.EXPECTED);
      return null;
    }
  }

  /** {@code name}, which must be one of {@code allowed}; null when absent, or once 400 is answered (the response has ended). */
  public static String oneOf(RoutingContext ctx, String name, java.util.List<String> allowed) {
    String v = optional(ctx, name);
    if (v == null || allowed.contains(v)) {
      return v;
    }
    ApiErrors.send(ctx, 400, "bad_request", name + " must be one of " + String.join(", ", allowed));
    return null;
  }

  private QueryParams() {
  }
}
