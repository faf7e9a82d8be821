package dev.hookyard.common.webhook;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BodyCodecTest {

  private final BodyCodec codec = BodyCodec.forThisThread();

  @Test
  @DisplayName("Stored bodies inflate to exactly the bytes received, whatever they are")
  void roundTrip() {
    byte[] random = new byte[100_000];
    new Random(7).nextBytes(random);
    String json = "{\"ref\":\"refs/heads/main\",\"commits\":[" + "{\"message\":\"ünïcödé ✓\"},".repeat(200) + "{}]}";
    for (byte[] body : new byte[][] {new byte[0], json.getBytes(StandardCharsets.UTF_8), random}) {
      Buffer stored = codec.compress(Buffer.buffer(body));
      assertThat(codec.expand(stored).getBytes()).isEqualTo(body);
    }
    Buffer jsonStored = codec.compress(Buffer.buffer(json));
    assertThat(jsonStored.length()).isLessThan(json.length() / 4);
  }

  @Test
  @DisplayName("A stored body that is not a complete zstd frame is refused, not misread")
  void corrupt() {
    assertThatThrownBy(() -> codec.expand(Buffer.buffer("{\"plain\":true}"))).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> codec.expand(Buffer.buffer())).isInstanceOf(IllegalStateException.class);
    Buffer stored = codec.compress(Buffer.buffer("x".repeat(10_000)));
    assertThatThrownBy(() -> codec.expand(stored.getBuffer(0, stored.length() / 2))).isInstanceOf(IllegalStateException.class);
  }
}
