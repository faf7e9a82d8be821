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
    this.hmac = new HmacSha256(secrets);
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
