package dev.hookyard.gateway.http;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** An expected {@code Authorization: Bearer <token>} header, compared in constant time. */
public final class BearerToken {

  private final byte[] expected;

  public BearerToken(String token) {
    this.expected = ("Bearer " + token).getBytes(StandardCharsets.UTF_8);
  }

  public boolean matches(String authorizationHeader) {
    return authorizationHeader != null
      && MessageDigest.isEqual(expected, authorizationHeader.trim().getBytes(StandardCharsets.UTF_8));
  }
}
