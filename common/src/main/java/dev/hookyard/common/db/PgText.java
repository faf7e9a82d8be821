package dev.hookyard.common.db;

/**
 * Text as PostgreSQL will take it. A {@code text} value cannot hold NUL ({@code U+0000}):
 * one in a parameter fails the whole statement (SQL state 22021), and with it every row
 * batched into that statement. Anything that reaches a text column from outside —
 * payload fields, headers, handler messages — goes through {@link #clean(String)}.
 */
public final class PgText {

  /** {@code s} without NUL characters; null stays null. */
  public static String clean(String s) {
    return s == null || s.indexOf('\u0000') < 0 ? s : s.replace("\u0000", "");
  }

  private PgText() {
  }
}
