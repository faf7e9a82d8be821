package dev.hookyard.processors.github;

import dev.hookyard.common.queue.PermanentJobFailure;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GitHubPayloadTest {

  private static OffsetDateTime at(String value) {
    return GitHubPayload.time(new JsonObject().put("t", value), "t");
  }

  @Test
  @DisplayName("Timestamps in GitHub's form, with offsets, fractions or as epoch seconds all read as the same UTC instant")
  void timestamps() {
    OffsetDateTime expected = OffsetDateTime.of(2026, 11, 1, 9, 30, 5, 0, ZoneOffset.UTC);
    assertThat(at("2026-11-01T09:30:05Z")).isEqualTo(expected);
    assertThat(at("2026-11-01T11:30:05+02:00")).isEqualTo(expected);
    assertThat(at("2026-11-01T09:30:05.250Z")).isEqualTo(expected.plusNanos(250_000_000));
    assertThat(GitHubPayload.time(new JsonObject().put("t", expected.toEpochSecond()), "t")).isEqualTo(expected);
    assertThat(GitHubPayload.time(new JsonObject(), "t")).isNull();
  }

  @Test
  @DisplayName("A timestamp that is no date fails its job permanently, whatever its form")
  void notATimestamp() {
    for (String bad : new String[] {"2026-13-01T09:30:05Z", "2026-02-30T09:30:05Z", "2026-11-01T09:3x:05Z", "yesterday"}) {
      assertThatThrownBy(() -> at(bad)).as(bad).isInstanceOf(PermanentJobFailure.class).hasMessageContaining("not a timestamp");
    }
  }
}
