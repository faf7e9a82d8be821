package dev.hookyard.common;

/** Event-bus addresses: dotted lowercase, the only way modules talk to each other at run time. */
public final class Addresses {

  /** Published after jobs are committed to {@code queue}: workers of that queue claim at once. */
  public static String wake(String queue) {
    return "jobs.wake." + queue;
  }

  /** Answered by every node; {@code /ready} uses it to prove the event bus works. */
  public static final String PING = "hookyard.ping";

  private Addresses() {
  }
}
