package dev.hookyard.gateway.ops;

/** SQL of the operations endpoints. */
final class OpsQueries {

  /** Readiness: the database answers a statement. */
  static final String PROBE = "SELECT 1";

  private OpsQueries() {
  }
}
