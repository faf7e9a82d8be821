package dev.hookyard.processors.github;

import dev.hookyard.common.queue.Job;
import dev.hookyard.common.queue.JobOutcome;
import dev.hookyard.common.queue.PermanentJobFailure;
import dev.hookyard.common.webhook.BodyCodec;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WebhookEventHandlerTest {

  private static Job job(String contentType, Buffer stored) {
    return new Job(1, "webhook.issues", "d-1", null, 0, 1, false, "issues", "opened", contentType, stored);
  }

  private final WebhookEventHandler handler = new WebhookEventHandler(
    (job, payload) -> Future.succeededFuture(JobOutcome.done(payload.getString("action"))));

  @Test
  @DisplayName("JSON and form-encoded deliveries reach the processing as the same parsed payload")
  void parsesBothEncodings() {
    BodyCodec codec = BodyCodec.forThisThread();
    String json = "{\"action\":\"opened\",\"issue\":{\"number\":3}}";
    Buffer form = Buffer.buffer("payload=" + URLEncoder.encode(json, StandardCharsets.UTF_8));
    assertThat(handler.handle(job("application/json", codec.compress(Buffer.buffer(json)))).result().reason()).isEqualTo("opened");
    assertThat(handler.handle(job("application/x-www-form-urlencoded", codec.compress(form))).result().reason()).isEqualTo("opened");
  }

  @Test
  @DisplayName("A missing, corrupt or non-object body is a permanent failure, so the job is dead-lettered at once")
  void badBodiesArePermanent() {
    BodyCodec codec = BodyCodec.forThisThread();
    assertThatThrownBy(() -> handler.handle(job("application/json", null))).isInstanceOf(PermanentJobFailure.class);
    assertThatThrownBy(() -> handler.handle(job("application/json", Buffer.buffer("not compressed"))))
      .isInstanceOf(PermanentJobFailure.class);
    assertThatThrownBy(() -> handler.handle(job("application/json", codec.compress(Buffer.buffer("[1,2]")))))
      .isInstanceOf(PermanentJobFailure.class);
  }
}
