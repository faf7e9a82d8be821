package dev.hookyard.common.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;

/**
 * The webhook secrets and the admin token. Taken from the environment when set;
 * otherwise generated on first run, kept in {@code <data dir>/credentials.json}
 * (owner-only), and reported as generated so the caller prints them once.
 */
public record Credentials(List<String> webhookSecrets, String adminToken, boolean generated) {

  public static final String FILE = "credentials.json";

  /** For a process without the gateway role. */
  public static Credentials notNeeded() {
    return new Credentials(List.of(), null, false);
  }

  public static Credentials load(HookyardConfig config, Path dataDir) {
    List<String> secrets = config.list(HookyardConfig.WEBHOOK_SECRETS);
    String token = config.string(HookyardConfig.ADMIN_TOKEN, null);
    if (!secrets.isEmpty() && token != null) {
      return new Credentials(secrets, token, false);
    }
    Path file = dataDir.resolve(FILE);
    try {
      boolean generated = false;
      JsonObject stored;
      if (Files.exists(file)) {
        stored = new JsonObject(Files.readString(file));
      } else {
        stored = new JsonObject()
          .put("webhook_secrets", new JsonArray().add(random(32)))
          .put("admin_token", random(32));
        Files.createDirectories(dataDir);
        Path tmp = dataDir.resolve(FILE + ".tmp");
        Files.writeString(tmp, stored.encodePrettily(), StandardCharsets.UTF_8);
        try {
          Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException ignored) {
          // not a POSIX file system: the directory's own permissions apply
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        generated = true;
      }
      List<String> s = secrets.isEmpty()
        ? stored.getJsonArray("webhook_secrets").stream().map(String::valueOf).toList()
        : secrets;
      String t = token != null ? token : stored.getString("admin_token");
      return new Credentials(s, t, generated);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write " + file, e);
    }
  }

  private static String random(int bytes) {
    byte[] b = new byte[bytes];
    new SecureRandom().nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
