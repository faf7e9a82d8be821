package dev.hookyard.common.github;

import dev.hookyard.common.config.HookyardConfig;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.Base64;

/**
 * A GitHub App's JSON Web Token (RS256: issued a minute back for clock drift, valid
 * nine minutes), from the App's private key as GitHub issues it (PEM, PKCS#1
 * "RSA PRIVATE KEY") or as PKCS#8 ("PRIVATE KEY").
 */
public final class AppJwt {

  private final String appId;
  private final PrivateKey key;

  public AppJwt(String appId, String pem) {
    this.appId = appId;
    this.key = parse(pem);
  }

  /** From {@code HOOKYARD_GITHUB_APP_ID} and {@code HOOKYARD_GITHUB_APP_PRIVATE_KEY} ({@code \n} escapes allowed); null unless both are set. */
  public static AppJwt of(HookyardConfig config) {
    String appId = config.string(HookyardConfig.GITHUB_APP_ID, null);
    String key = config.string(HookyardConfig.GITHUB_APP_PRIVATE_KEY, null);
    return appId == null || key == null ? null : new AppJwt(appId, key.replace("\\n", "\n"));
  }

  public String appId() {
    return appId;
  }

  public String token(Instant now) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header = b64.encodeToString(new JsonObject().put("alg", "RS256").put("typ", "JWT").encode().getBytes(StandardCharsets.UTF_8));
    String claims = b64.encodeToString(new JsonObject().put("iat", now.getEpochSecond() - 60)
      .put("exp", now.getEpochSecond() + 540).put("iss", appId).encode().getBytes(StandardCharsets.UTF_8));
    try {
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initSign(key);
      rsa.update((header + "." + claims).getBytes(StandardCharsets.US_ASCII));
      return header + "." + claims + "." + b64.encodeToString(rsa.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign the GitHub App token", e);
    }
  }

  static PrivateKey parse(String pem) {
    boolean pkcs1 = pem.contains("BEGIN RSA PRIVATE KEY");
    String body = pem.replaceAll("-----(BEGIN|END) [A-Z ]+-----", "").replaceAll("\\s", "");
    try {
      byte[] der = Base64.getDecoder().decode(body);
      return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs1 ? pkcs8(der) : der));
    } catch (IllegalArgumentException | GeneralSecurityException e) {
      throw new IllegalArgumentException("HOOKYARD_GITHUB_APP_PRIVATE_KEY is not an RSA private key in PEM form", e);
    }
  }

  /** Wraps a PKCS#1 RSAPrivateKey in the PKCS#8 PrivateKeyInfo the JDK reads. */
  private static byte[] pkcs8(byte[] pkcs1) {
    byte[] algorithm = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
    byte[] version = {0x02, 0x01, 0x00};
    byte[] octets = concat(new byte[] {0x04}, length(pkcs1.length), pkcs1);
    byte[] content = concat(version, algorithm, octets);
    return concat(new byte[] {0x30}, length(content.length), content);
  }

  private static byte[] length(int n) {
    if (n < 0x80) {
      return new byte[] {(byte) n};
    }
    return n < 0x100 ? new byte[] {(byte) 0x81, (byte) n}
      : n < 0x10000 ? new byte[] {(byte) 0x82, (byte) (n >> 8), (byte) n}
      : new byte[] {(byte) 0x83, (byte) (n >> 16), (byte) (n >> 8), (byte) n};
  }

  private static byte[] concat(byte[]... parts) {
    int size = 0;
    for (byte[] p : parts) {
      size += p.length;
    }
    byte[] out = new byte[size];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }
}
