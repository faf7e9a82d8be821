package dev.hookyard.gateway.http;

import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/** Times in admin requests: an ISO-8601 instant with an offset, or a date (its start, UTC). */
public final class Times {

  /** {@code s} as a time; throws {@link DateTimeParseException} when it is neither form. */
  public static OffsetDateTime parse(String s) {
    String t = s.trim();
    if (t.length() == 10) {
      return LocalDate.parse(t).atStartOfDay().atOffset(ZoneOffset.UTC);
    }
    return OffsetDateTime.parse(t);
  }

  public static final String EXPECTED = "an ISO-8601 time such as 2026-12-01T10:00:00Z, or a date such as 2026-12-01";

  private Times() {
  }
}
