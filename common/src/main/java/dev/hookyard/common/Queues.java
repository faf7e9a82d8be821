package dev.hookyard.common;

import java.util.List;
import java.util.Locale;

/**
 * Queue names. Every GitHub event with a processor has its own queue
 * {@code webhook.<event>}; every other event goes to {@link #UNHANDLED}, where it is
 * recorded as ignored with the reason.
 */
public final class Queues {

  /** GitHub events that have a processor of their own (DESIGN.md, "Event handling"). */
  public static final List<String> PROCESSED_EVENTS = List.of(
    "push",
    "pull_request",
    "pull_request_review",
    "issues",
    "workflow_run",
    "installation",
    "installation_repositories",
    "repository");

  public static final String WEBHOOK_PREFIX = "webhook.";
  public static final String UNHANDLED = WEBHOOK_PREFIX + "unhandled";

  /**
   * Alert deliveries are stored like GitHub's, under these event names; the dot keeps
   * them apart from every GitHub event name, so a GitHub delivery can never pose as one.
   */
  public static final String SENTRY_EVENT = "sentry.alert";
  public static final String LOKI_EVENT = "loki.alert";
  public static final String SENTRY_ALERTS = "alerts.sentry";
  public static final String LOKI_ALERTS = "alerts.loki";

  /** The queue a delivery of {@code event} is stored into. */
  public static String forEvent(String event) {
    String e = event.toLowerCase(Locale.ROOT);
    if (e.equals(SENTRY_EVENT)) {
      return SENTRY_ALERTS;
    }
    if (e.equals(LOKI_EVENT)) {
      return LOKI_ALERTS;
    }
    return PROCESSED_EVENTS.contains(e) ? WEBHOOK_PREFIX + e : UNHANDLED;
  }

  /** Every queue the gateway writes to: one per processed event, the unhandled one, the alerts. */
  public static List<String> webhookQueues() {
    List<String> all = new java.util.ArrayList<>();
    PROCESSED_EVENTS.forEach(e -> all.add(WEBHOOK_PREFIX + e));
    all.add(UNHANDLED);
    all.add(SENTRY_ALERTS);
    all.add(LOKI_ALERTS);
    return all;
  }

  private Queues() {
  }
}
