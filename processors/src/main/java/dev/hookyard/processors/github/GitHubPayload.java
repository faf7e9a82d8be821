package dev.hookyard.processors.github;

import dev.hookyard.common.queue.PermanentJobFailure;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * Reading webhook payloads. A field a processor cannot do without is a permanent
 * failure naming the field: the job is dead-lettered with that reason, never retried.
 */
final class GitHubPayload {

  private GitHubPayload() {
  }

  static JsonObject object(JsonObject parent, String field) {
    Object v = parent == null ? null : parent.getValue(field);
    return v instanceof JsonObject o ? o : null;
  }

  static JsonObject requireObject(JsonObject parent, String field) {
    JsonObject o = object(parent, field);
    if (o == null) {
      throw new PermanentJobFailure("payload has no object '" + field + "'");
    }
    return o;
  }

  static JsonArray array(JsonObject parent, String field) {
    Object v = parent == null ? null : parent.getValue(field);
    return v instanceof JsonArray a ? a : new JsonArray();
  }

  static String string(JsonObject parent, String field) {
    Object v = parent == null ? null : parent.getValue(field);
    return v instanceof String s ? s : null;
  }

  static String requireString(JsonObject parent, String field) {
    String s = string(parent, field);
    if (s == null) {
      throw new PermanentJobFailure("payload has no string '" + field + "'");
    }
    return s;
  }

  static Long number(JsonObject parent, String field) {
    Object v = parent == null ? null : parent.getValue(field);
    return v instanceof Number n ? n.longValue() : null;
  }

  static long requireNumber(JsonObject parent, String field) {
    Long n = number(parent, field);
    if (n == null) {
      throw new PermanentJobFailure("payload has no number '" + field + "'");
    }
    return n;
  }

  static Integer integer(JsonObject parent, String field) {
    Long n = number(parent, field);
    return n == null ? null : (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, n));
  }

  static boolean flag(JsonObject parent, String field) {
    Object v = parent == null ? null : parent.getValue(field);
    return v instanceof Boolean b && b;
  }

  /** GitHub writes times as ISO-8601 strings, and in push payloads some as epoch seconds. */
  static OffsetDateTime time(JsonObject parent, String field) {
    Object v = parent == null ? null : parent.getValue(field);
    if (v instanceof Number n) {
      return OffsetDateTime.ofInstant(Instant.ofEpochSecond(n.longValue()), ZoneOffset.UTC);
    }
    if (v instanceof String s && !s.isBlank()) {
      try {
        OffsetDateTime utc = utcSeconds(s);
        return utc != null ? utc : OffsetDateTime.parse(s).withOffsetSameInstant(ZoneOffset.UTC);
      } catch (DateTimeException e) {
        throw new PermanentJobFailure("payload field '" + field + "' is not a timestamp: " + s);
      }
    }
    return null;
  }

  /**
   * GitHub's own form, {@code 2026-11-01T09:30:00Z}, read without the formatter (a pull
   * request carries four of them); null for any other form, which the formatter reads.
   */
  private static OffsetDateTime utcSeconds(String s) {
    if (s.length() != 20 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':'
        || s.charAt(16) != ':' || s.charAt(19) != 'Z') {
      return null;
    }
    int year = digits(s, 0, 4);
    int month = digits(s, 5, 7);
    int day = digits(s, 8, 10);
    int hour = digits(s, 11, 13);
    int minute = digits(s, 14, 16);
    int second = digits(s, 17, 19);
    if ((year | month | day | hour | minute | second) < 0) {
      return null;
    }
    return OffsetDateTime.of(year, month, day, hour, minute, second, 0, ZoneOffset.UTC);
  }

  private static int digits(String s, int from, int to) {
    int n = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  static OffsetDateTime requireTime(JsonObject parent, String field) {
    OffsetDateTime t = time(parent, field);
    if (t == null) {
      throw new PermanentJobFailure("payload has no timestamp '" + field + "'");
    }
    return t;
  }

  /** The GitHub account of a payload's {@code user}/{@code sender}-style object. */
  static UserDirectory.Person person(JsonObject account) {
    if (account == null) {
      return null;
    }
    return new UserDirectory.Person(number(account, "id"), string(account, "login"), string(account, "email"));
  }
}
