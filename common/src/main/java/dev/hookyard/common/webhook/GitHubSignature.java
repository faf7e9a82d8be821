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
 * Checks {@code X-Hub-Signature-256} ({@code sha256=<hex HMAC of the raw body>}) against
 * every configured secret, in constant time. One instance per event loop: the
 * {@link Mac}s it holds are not thread-safe.
 */
public final class GitHubSignature {

  public static final String HEADER = "X-Hub-Signature-256";
  private static final String PREFIX = "sha256=";

  private final List<Mac> macs;

  public GitHubSignature(List<String> secrets) {
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("at least one webhook secret is required");
    }
    this.macs = secrets.stream().map(GitHubSignature::mac).toList();
  }

  /** True when {@code header} is a valid signature of {@code body} under any secret. */
  public boolean verify(String header, Buffer body) {
    byte[] expected = decode(header);
    if (expected == null) {
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

  /** {@code sha256=<hex>} for {@code body} under {@code secret}. */
  public static String sign(String secret, byte[] body) {
    return PREFIX + HexFormat.of().formatHex(mac(secret).doFinal(body));
  }

  private static byte[] decode(String header) {
    if (header == null || !header.startsWith(PREFIX) || header.length() != PREFIX.length() + 64) {
      return null;
    }
    try {
      return HexFormat.of().parseHex(header, PREFIX.length(), header.length());
    } catch (IllegalArgumentException e) {
      return null;
    }
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
