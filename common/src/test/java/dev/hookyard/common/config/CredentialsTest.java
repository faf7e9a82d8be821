package dev.hookyard.common.config;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CredentialsTest {

  @TempDir
  Path dir;

  private static HookyardConfig config(Map<String, String> env) {
    return HookyardConfig.from(env);
  }

  @Test
  @DisplayName("Generated credentials are written owner-only, reported as generated, and read back unchanged")
  void generatedOwnerOnly() throws Exception {
    Credentials first = Credentials.load(config(Map.of()), dir);
    assertThat(first.secretsGenerated()).isTrue();
    assertThat(first.tokenGenerated()).isTrue();
    assertThat(first.adminToken()).hasSize(64);
    Path file = dir.resolve(Credentials.FILE);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    assertThat(Files.exists(dir.resolve(Credentials.FILE + ".tmp"))).isFalse();

    Credentials again = Credentials.load(config(Map.of()), dir);
    assertThat(again.generated()).isFalse();
    assertThat(again.adminToken()).isEqualTo(first.adminToken());
    assertThat(again.webhookSecrets()).isEqualTo(first.webhookSecrets());
  }

  @Test
  @DisplayName("With only the token set, only the secret is generated (and reported); the token from the environment is not")
  void onlyGeneratedValuesReported() {
    Credentials c = Credentials.load(config(Map.of(HookyardConfig.ADMIN_TOKEN, "from-env")), dir);
    assertThat(c.adminToken()).isEqualTo("from-env");
    assertThat(c.tokenGenerated()).isFalse();
    assertThat(c.secretsGenerated()).isTrue();

    Credentials s = Credentials.load(config(Map.of(HookyardConfig.WEBHOOK_SECRETS, "a, b")), dir);
    assertThat(s.webhookSecrets()).containsExactly("a", "b");
    assertThat(s.generated()).isFalse();
  }

  @Test
  @DisplayName("A credentials file others can read is refused, naming the file and the fix")
  void worldReadableRefused() throws Exception {
    Credentials.load(config(Map.of()), dir);
    Path file = dir.resolve(Credentials.FILE);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    assertThatThrownBy(() -> Credentials.load(config(Map.of()), dir))
      .isInstanceOf(IllegalStateException.class)
      .hasMessageContaining(file.toAbsolutePath().toString())
      .hasMessageContaining("chmod 600");
  }

  @Test
  @DisplayName("A file without a token or secret, or a variable set empty, stops start-up with a message naming it: never a null token")
  void missingOrEmptyFails() throws Exception {
    Path file = dir.resolve(Credentials.FILE);
    SecretFiles.write(file, new JsonObject().put("webhook_secrets", List.of("s1")).encode());
    assertThatThrownBy(() -> Credentials.load(config(Map.of()), dir))
      .hasMessageContaining("has no admin_token");
    SecretFiles.write(file, new JsonObject().put("admin_token", " ").put("webhook_secrets", List.of("s1")).encode());
    assertThatThrownBy(() -> Credentials.load(config(Map.of()), dir))
      .hasMessageContaining("has no admin_token");
    SecretFiles.write(file, new JsonObject().put("admin_token", "t").put("webhook_secrets", List.of()).encode());
    assertThatThrownBy(() -> Credentials.load(config(Map.of()), dir))
      .hasMessageContaining("has no webhook_secrets");
    SecretFiles.write(file, "{not json");
    assertThatThrownBy(() -> Credentials.load(config(Map.of()), dir))
      .hasMessageContaining("not valid JSON");

    assertThatThrownBy(() -> Credentials.load(config(Map.of(HookyardConfig.ADMIN_TOKEN, "  ")), dir))
      .hasMessageContaining(HookyardConfig.ADMIN_TOKEN + " is set but empty");
    assertThatThrownBy(() -> Credentials.load(config(Map.of(HookyardConfig.WEBHOOK_SECRETS, " , ")), dir))
      .hasMessageContaining(HookyardConfig.WEBHOOK_SECRETS + " is set but empty");
  }
}
