package dev.hookyard.common.webhook;

import io.vertx.core.buffer.Buffer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * HMAC-SHA256 of a raw body under any of several secrets, compared in constant time.
 * Not thread-safe (it holds {@link Mac}s): one instance per event loop.
 */
public final class HmacSha256 {

  private final List<String> secrets;
  private final List<Mac> macs;

  public HmacSha256(List<String> secrets) {
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("at least one secret is required");
    }
    this.secrets = List.copyOf(secrets);
    this.macs = secrets.stream().map(HmacSha256::mac).toList();
  }

  /** An independent instance under the same secrets, for another thread (e.g. a worker verifying a large body). */
  public HmacSha256 copy() {
    return new HmacSha256(secrets);
  }

  /** Whether {@code hex} has the shape of a digest (64 hex digits), before any body is read. */
  public static boolean wellFormedHex(String hex) {
    if (hex == null || hex.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      if (Character.digit(hex.charAt(i), 16) < 0) {
        return false;
      }
    }
    return true;
  }

  /** True when {@code hex} (64 hex digits) is the HMAC of {@code body} under any secret. */
  public boolean verifyHex(String hex, Buffer body) {
    if (hex == null || hex.length() != 64) {
      return false;
    }
    byte[] expected;
    try {
      expected = HexFormat.of().parseHex(hex);
    } catch (IllegalArgumentException e) {
      return false;
    }
    byte[] bytes = body.getBytes();
    boolean ok = false;
    // Every secret is tried, so the time taken does not tell which one matched.
    for (Mac mac : macs) {
      ok |= MessageDigest.isEqual(expected, mac.doFinal(bytes));
    }
    return ok;
  }

  /** Lower-case hex HMAC of {@code body} under {@code secret}. */
  public static String hex(String secret, byte[] body) {
    return HexFormat.of().formatHex(mac(secret).doFinal(body));
  }

  private static Mac mac(String secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
