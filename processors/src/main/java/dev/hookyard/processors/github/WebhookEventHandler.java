package dev.hookyard.processors.github;

import dev.hookyard.common.queue.BatchJobHandler;
import dev.hookyard.common.queue.Job;
import dev.hookyard.common.queue.JobHandler;
import dev.hookyard.common.queue.JobOutcome;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Turns a webhook job into its parsed payload and hands it to the event's processing.
 * A job without its delivery, or whose stored body is not a JSON object, can never
 * succeed: it is dead-lettered at once with the reason.
 */
class WebhookEventHandler implements JobHandler {

  private static final Logger log = LoggerFactory.getLogger(WebhookEventHandler.class);

  /** What one event type does with a parsed payload. */
  @FunctionalInterface
  interface EventProcessing {
    Future<JobOutcome> process(Job job, JsonObject payload);
  }

  /** What one event type does with the parsed payloads of several jobs at once; outcomes in their order. */
  @FunctionalInterface
  interface BatchProcessing {
    Future<List<JobOutcome>> processAll(List<Job> jobs, List<JsonObject> payloads);
  }

  /** A handler for an event type whose processing also takes batches (see {@link BatchJobHandler}). */
  static JobHandler batched(EventProcessing one, BatchProcessing all) {
    return new Batched(one, all);
  }

  private static final class Batched extends WebhookEventHandler implements BatchJobHandler {

    private final BatchProcessing all;

    Batched(EventProcessing one, BatchProcessing all) {
      super(one);
      this.all = all;
    }

    @Override
    public Future<List<JobOutcome>> handleAll(List<Job> jobs) {
      List<JsonObject> payloads = new ArrayList<>(jobs.size());
      for (Job job : jobs) {
        payloads.add(job.json());
      }
      return all.processAll(jobs, payloads);
    }
  }

  private final EventProcessing processing;

  WebhookEventHandler(EventProcessing processing) {
    this.processing = processing;
  }

  @Override
  public Future<JobOutcome> handle(Job job) {
    JsonObject payload = job.json();
    if (log.isDebugEnabled()) {
      // Which repository a delivery concerned is what one searches the logs by next.
      JsonObject repository = payload.getValue("repository") instanceof JsonObject r ? r : null;
      log.debug("Delivery {} ({}{}) for {}", job.deliveryId(), job.event(), job.action() == null ? "" : "." + job.action(),
        repository == null ? "no repository" : repository.getValue("full_name"));
    }
    return processing.process(job, payload);
  }
}
