package dev.hookyard.gateway.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.hookyard.common.webhook.FormEncodedPayload;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Checks that a webhook body is one JSON object, without building it: a streaming
 * pass that also picks the top-level {@code action} and the {@code full_name} of the
 * top-level {@code repository} (stored beside the delivery, so operators find, replay
 * and reprocess deliveries by repository without opening their bodies). Form-encoded bodies carry the
 * JSON in their {@code payload} field.
 */
final class WebhookPayload {

  private static final JsonFactory JSON = JsonFactory.builder().build();
  /**
   * What a stored action may look like. Actions are payload fields, not headers: one
   * that is not a short identifier (a NUL, a kilobyte of text) is stored as null and
   * the delivery is still accepted; the processors read the body itself anyway.
   */
  private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
  /** What a stored repository name may look like (GitHub's owner/name); anything else is stored as null. */
  private static final Pattern FULL_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,100}/[A-Za-z0-9_.-]{1,100}");

  /** The result of a check: the top-level action and repository name (either may be null) or why the body is unusable. */
  record Checked(String action, String repository, String error) {
    boolean valid() {
      return error == null;
    }
  }

  static Checked check(Buffer body, boolean formEncoded) {
    return check(body, formEncoded, "action");
  }

  /** As {@link #check(Buffer, boolean)}, picking the top-level string {@code actionField} as the action. */
  static Checked check(Buffer body, boolean formEncoded, String actionField) {
    try {
      if (formEncoded) {
        String json = FormEncodedPayload.payload(body.toString(StandardCharsets.UTF_8));
        if (json == null) {
          return new Checked(null, null, "form-encoded body has no payload field");
        }
        return scan(JSON.createParser(json), actionField);
      }
      return scan(JSON.createParser(body.getBytes()), actionField);
    } catch (IOException | IllegalArgumentException e) {
      return new Checked(null, null, "body is not valid JSON: " + firstLine(e.getMessage()));
    }
  }

  private static Checked scan(JsonParser p, String actionField) throws IOException {
    try (p) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return new Checked(null, null, "body is not a JSON object");
      }
      String action = null;
      String repository = null;
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken value = p.nextToken();
        if (actionField.equals(name) && value == JsonToken.VALUE_STRING) {
          action = identifier(p.getText());
        } else if ("repository".equals(name) && value == JsonToken.START_OBJECT) {
          repository = fullName(p);
        } else if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
          p.skipChildren();
        }
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
        return new Checked(null, null, "body is not a single JSON object");
      }
      return new Checked(action, repository, null);
    }
  }

  /** Reads the object the parser is at to its end; its string {@code full_name} when it looks like one, else null. */
  private static String fullName(JsonParser p) throws IOException {
    String fullName = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String name = p.currentName();
      JsonToken value = p.nextToken();
      if ("full_name".equals(name) && value == JsonToken.VALUE_STRING && FULL_NAME.matcher(p.getText()).matches()) {
        fullName = p.getText();
      } else if (value == JsonToken.START_OBJECT || value == JsonToken.START_ARRAY) {
        p.skipChildren();
      }
    }
    return fullName;
  }

  /** {@code s} trimmed when it is a short identifier ({@code [A-Za-z0-9_.:-]{1,64}}), else null. */
  static String identifier(String s) {
    if (s == null) {
      return null;
    }
    String t = s.trim();
    return IDENTIFIER.matcher(t).matches() ? t : null;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  private WebhookPayload() {
  }
}
