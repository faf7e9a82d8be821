package dev.hookyard.processors.github;

import dev.hookyard.common.queue.Job;
import dev.hookyard.common.queue.JobHandler;
import dev.hookyard.common.queue.JobOutcome;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Turns a webhook job into its parsed payload and hands it to the event's processing.
 * A job without its delivery, or whose stored body is not a JSON object, can never
 * succeed: it is dead-lettered at once with the reason.
 */
final class WebhookEventHandler implements JobHandler {

  /** What one event type does with a parsed payload. */
  @FunctionalInterface
  interface EventProcessing {
    Future<JobOutcome> process(Job job, JsonObject payload);
  }

  private final EventProcessing processing;

  WebhookEventHandler(EventProcessing processing) {
    this.processing = processing;
  }

  @Override
  public Future<JobOutcome> handle(Job job) {
    return processing.process(job, payload(job));
  }

  static JsonObject payload(Job job) {
    return job.json();
  }
}
