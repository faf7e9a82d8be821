package dev.hookyard.common.webhook;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

/**
 * GitHub's {@code application/x-www-form-urlencoded} deliveries carry their JSON in the
 * {@code payload} field; the signature covers the whole form, so the form is what is stored.
 */
public final class FormEncodedPayload {

  public static final String CONTENT_TYPE = "application/x-www-form-urlencoded";

  /** The decoded {@code payload} field of a form body, or null when it has none. */
  public static String payload(String form) {
    for (String pair : form.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (URLDecoder.decode(key, StandardCharsets.UTF_8).equals("payload")) {
        return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private FormEncodedPayload() {
  }
}
