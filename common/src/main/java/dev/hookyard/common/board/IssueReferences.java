package dev.hookyard.common.board;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Issue identifiers a pull request names explicitly, and how strongly, read the way
 * people write them: "fixes ACME-1", "closes ACME-1, ACME-2 and ACME-3", an identifier
 * in the title or the branch name → {@link #CLOSES} (linked, closed on merge);
 * "refs ACME-1", "part of ACME-1", "related to ACME-1", or a bare mention in the body →
 * {@link #REFS} (linked, status left alone). Only the workspace's own prefix counts;
 * branch names are read case-insensitively.
 */
public final class IssueReferences {

  public static final String CLOSES = "closes";
  public static final String REFS = "refs";

  /** One identifier named, with its strength and where it was strongest. */
  public record Reference(String identifier, String strength, String where) {
  }

  /** What GitHub and people write for identifiers: {@code [A-Z][A-Z0-9]+-\d+}. */
  public static final Pattern IDENTIFIER = Pattern.compile("\\b([A-Z][A-Z0-9]+)-(\\d{1,9})\\b");

  private static final Pattern TOKEN = Pattern.compile(
    "(?<close>\\b(?:fix|fixes|fixed|fixing|close|closes|closed|closing|resolve|resolves|resolved|resolving)\\b)"
      + "|(?<refs>\\b(?:refs?|references?|referencing|part\\s+of|related\\s+to|relates\\s+to|relating\\s+to|see\\s+also|see)\\b)"
      + "|(?<id>\\b[A-Za-z][A-Za-z0-9]+-\\d{1,9}\\b)"
      + "|(?<glue>\\band\\b|&|,|:|/|#|\\+|\\(|\\)|\\[|\\])"
      + "|(?<word>[^\\s,:/#&+()\\[\\]]+)",
    Pattern.CASE_INSENSITIVE);

  /** Every identifier with {@code prefix} in title, body and branch, strongest reading first found. */
  public static List<Reference> find(String prefix, String title, String body, String branch) {
    Map<String, Reference> found = new LinkedHashMap<>();
    read(prefix, title, "title", CLOSES, false, found);
    read(prefix, branch, "branch", CLOSES, true, found);
    read(prefix, body, "body", REFS, false, found);
    return new ArrayList<>(found.values());
  }

  private static void read(String prefix, String text, String where, String bare, boolean ignoreCase,
                           Map<String, Reference> found) {
    if (text == null || text.isEmpty() || prefix == null) {
      return;
    }
    String wanted = prefix.toUpperCase(Locale.ROOT);
    String mode = null;
    Matcher m = TOKEN.matcher(text);
    while (m.find()) {
      if (m.group("close") != null) {
        mode = CLOSES;
      } else if (m.group("refs") != null) {
        mode = REFS;
      } else if (m.group("id") != null) {
        String id = m.group("id");
        String normal = id.toUpperCase(Locale.ROOT);
        boolean exact = ignoreCase || IDENTIFIER.matcher(id).matches();
        int dash = normal.lastIndexOf('-');
        if (exact && normal.substring(0, dash).equals(wanted)) {
          String canonical = wanted + "-" + Long.parseLong(normal.substring(dash + 1));
          String strength = mode != null ? mode : bare;
          Reference before = found.get(canonical);
          if (before == null || (before.strength().equals(REFS) && strength.equals(CLOSES))) {
            found.put(canonical, new Reference(canonical, strength, where));
          }
        }
      } else if (m.group("word") != null) {
        // Any other word ends a keyword's list ("fixes ACME-1 and ACME-2, see ACME-3").
        mode = null;
      }
    }
  }

  private IssueReferences() {
  }
}
