package dev.hookyard.gateway.http;

import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/** Finding the workspace a route names by its slug. */
public final class Workspaces {

  /** The workspace's id, or null when there is none by that slug. */
  public static Future<Long> id(SqlClient client, String slug) {
    return client.preparedQuery(WorkspaceQueries.ID_BY_SLUG).execute(Tuple.of(slug))
      .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong("id"));
  }

  public static void notFound(RoutingContext ctx, String slug) {
    ApiErrors.notFound(ctx, "workspace " + slug);
  }

  private Workspaces() {
  }
}
