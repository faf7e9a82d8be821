package dev.hookyard.common.webhook;

import io.vertx.core.buffer.Buffer;

import java.util.List;

/**
 * Checks {@code X-Hub-Signature-256} ({@code sha256=<hex HMAC of the raw body>}) against
 * every configured secret, in constant time. One instance per event loop.
 */
public final class GitHubSignature {

  public static final String HEADER = "X-Hub-Signature-256";
  private static final String PREFIX = "sha256=";

  private final HmacSha256 hmac;

  public GitHubSignature(List<String> secrets) {
    this(new HmacSha256(secrets));
  }

  private GitHubSignature(HmacSha256 hmac) {
    this.hmac = hmac;
  }

  /** An independent instance under the same secrets, for another thread. */
  public GitHubSignature copy() {
    return new GitHubSignature(hmac.copy());
  }

  /**
   * Whether {@code header} has the shape of a signature ({@code sha256=} and 64 hex
   * digits): checked from the headers alone, so a malformed one is refused unread.
   */
  public static boolean wellFormed(String header) {
    return header != null && header.startsWith(PREFIX) && HmacSha256.wellFormedHex(header.substring(PREFIX.length()));
  }

  /** True when {@code header} is a valid signature of {@code body} under any secret. */
  public boolean verify(String header, Buffer body) {
    return header != null && header.startsWith(PREFIX) && hmac.verifyHex(header.substring(PREFIX.length()), body);
  }

  /** {@code sha256=<hex>} for {@code body} under {@code secret}. */
  public static String sign(String secret, byte[] body) {
    return PREFIX + HmacSha256.hex(secret, body);
  }
}
