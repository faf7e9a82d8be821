package dev.hookyard.common;

import java.time.OffsetDateTime;

/** Times as the API writes them: ISO-8601 instants in UTC, null for none. */
public final class JsonDates {

  public static String iso(OffsetDateTime t) {
    return t == null ? null : t.toInstant().toString();
  }

  private JsonDates() {
  }
}
