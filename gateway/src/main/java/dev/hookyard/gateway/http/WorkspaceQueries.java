package dev.hookyard.gateway.http;

/** SQL of the shared lookups of the admin and board routes. */
final class WorkspaceQueries {

  static final String ID_BY_SLUG = "SELECT id FROM workspaces WHERE slug = $1";

  private WorkspaceQueries() {
  }
}
