package dev.hookyard.gateway.board;

import dev.hookyard.common.board.IssueStatus;
import dev.hookyard.gateway.http.ApiErrors;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A checked issue body: {@code title}, {@code description}, {@code status},
 * {@code priority}, {@code labels}, {@code error_source}. For a patch, an absent field
 * is null (left as it is). The first bad field answers {@code 400} naming it.
 */
record IssueRequest(String title, String description, String status, String priority, List<String> labels,
                    JsonObject errorSource) {

  record Comment(String author, String body) {
  }

  private static final int MAX_TITLE = 300;
  private static final int MAX_DESCRIPTION = 65_536;

  static IssueRequest forCreate(RoutingContext ctx) {
    JsonObject body = body(ctx);
    if (body == null) {
      return null;
    }
    try {
      String title = text(body, "title", MAX_TITLE, true);
      String status = status(body);
      String priority = priority(body);
      List<String> labels = labels(body);
      return new IssueRequest(title, text(body, "description", MAX_DESCRIPTION, false),
        status == null ? IssueStatus.BACKLOG : status, priority == null ? IssueStatus.DEFAULT_PRIORITY : priority,
        labels == null ? List.of() : labels, errorSource(body));
    } catch (IllegalArgumentException e) {
      ApiErrors.send(ctx, 400, "bad_request", e.getMessage());
      return null;
    }
  }

  static IssueRequest forPatch(RoutingContext ctx) {
    JsonObject body = body(ctx);
    if (body == null) {
      return null;
    }
    try {
      IssueRequest req = new IssueRequest(body.containsKey("title") ? text(body, "title", MAX_TITLE, true) : null,
        body.containsKey("description") ? nonNull(text(body, "description", MAX_DESCRIPTION, false)) : null,
        status(body), priority(body), labels(body), null);
      if (req.title() == null && req.description() == null && req.status() == null && req.priority() == null && req.labels() == null) {
        throw new IllegalArgumentException("nothing to change: send status, priority, title, description or labels");
      }
      return req;
    } catch (IllegalArgumentException e) {
      ApiErrors.send(ctx, 400, "bad_request", e.getMessage());
      return null;
    }
  }

  static Comment comment(RoutingContext ctx) {
    JsonObject body = body(ctx);
    if (body == null) {
      return null;
    }
    try {
      String author = text(body, "author", 100, false);
      return new Comment(author == null ? "admin" : author, text(body, "body", MAX_DESCRIPTION, true));
    } catch (IllegalArgumentException e) {
      ApiErrors.send(ctx, 400, "bad_request", e.getMessage());
      return null;
    }
  }

  private static JsonObject body(RoutingContext ctx) {
    try {
      JsonObject body = ctx.body().asJsonObject();
      if (body != null) {
        return body;
      }
    } catch (RuntimeException ignored) {
      // answered below
    }
    ApiErrors.send(ctx, 400, "bad_request", "the request body must be a JSON object");
    return null;
  }

  private static String nonNull(String s) {
    return s == null ? "" : s;
  }

  private static String text(JsonObject body, String field, int max, boolean required) {
    Object v = body.getValue(field);
    if (v == null) {
      if (required) {
        throw new IllegalArgumentException(field + " is required");
      }
      return null;
    }
    if (!(v instanceof String s)) {
      throw new IllegalArgumentException(field + " must be a string");
    }
    String clean = s.replace("\u0000", "").strip();
    if (required && clean.isEmpty()) {
      throw new IllegalArgumentException(field + " must not be blank");
    }
    if (clean.length() > max) {
      throw new IllegalArgumentException(field + " must be at most " + max + " characters");
    }
    return clean;
  }

  private static String status(JsonObject body) {
    Object v = body.getValue("status");
    if (v == null) {
      return null;
    }
    String status = v instanceof String s ? IssueStatus.parse(s) : null;
    if (status == null) {
      throw new IllegalArgumentException("status must be one of " + String.join(", ", IssueStatus.ORDER));
    }
    return status;
  }

  private static String priority(JsonObject body) {
    Object v = body.getValue("priority");
    if (v == null) {
      return null;
    }
    String p = v instanceof String s ? s.trim().toUpperCase(Locale.ROOT) : null;
    if (p == null || !IssueStatus.PRIORITIES.contains(p)) {
      throw new IllegalArgumentException("priority must be one of " + String.join(", ", IssueStatus.PRIORITIES));
    }
    return p;
  }

  private static List<String> labels(JsonObject body) {
    Object v = body.getValue("labels");
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonArray array) || array.size() > 50) {
      throw new IllegalArgumentException("labels must be an array of at most 50 strings");
    }
    Set<String> out = new LinkedHashSet<>();
    for (Object o : array) {
      if (!(o instanceof String s) || s.isBlank() || s.length() > 50 || s.indexOf('\u0000') >= 0) {
        throw new IllegalArgumentException("labels must be non-blank strings of at most 50 characters");
      }
      out.add(s.strip());
    }
    return new ArrayList<>(out);
  }

  private static JsonObject errorSource(JsonObject body) {
    Object v = body.getValue("error_source");
    if (v == null) {
      return null;
    }
    if (!(v instanceof JsonObject o) || !(o.getValue("source") instanceof String source)
      || !(source.equals("sentry") || source.equals("loki"))
      || !(o.getValue("external_id") instanceof String id) || id.isBlank() || id.length() > 200) {
      throw new IllegalArgumentException("error_source must be {\"source\":\"sentry\"|\"loki\",\"external_id\":\"<id>\"}");
    }
    return new JsonObject().put("source", source).put("external_id", id.strip());
  }
}
