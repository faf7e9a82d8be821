package dev.hookyard.processors.github;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/** The repositories a webhook names, found or recorded inside the caller's transaction. */
final class Repositories {

  /** A known repository and whether it is tracked right now. */
  record Known(long id, String fullName, String defaultBranch, boolean tracked) {
  }

  /** A repository as a webhook describes it. */
  record Named(long githubId, String fullName) {

    static Named of(JsonObject repository) {
      return new Named(GitHubPayload.requireNumber(repository, "id"), GitHubPayload.requireString(repository, "full_name"));
    }
  }

  private Repositories() {
  }

  /** The repository a payload's {@code repository} object names; null when hookyard has never heard of it. */
  static Future<Known> find(SqlClient client, JsonObject repository) {
    Named named = Named.of(repository);
    return find(client, List.of(named), RepositoryQueries.FIND_ALL).map(found -> found.get(named));
  }

  /**
   * Why an event of {@code named} stores nothing: the repository is not tracked, said by
   * both names when the row its GitHub id matched knows it by another.
   */
  static String untracked(Named named, Known known) {
    if (known == null || known.fullName().equalsIgnoreCase(named.fullName())) {
      return "repository " + named.fullName() + " is not tracked";
    }
    return "repository " + named.fullName() + " (GitHub id " + named.githubId() + ", known here as " + known.fullName()
      + ") is not tracked";
  }

  /**
   * The known row of each distinct repository an event names, in one statement: by
   * GitHub id, else by name if that row has not learnt another id (absent: never heard
   * of); a tracked row known only by the name wins over an untracked one holding the id
   * ({@link RepositoryQueries#FIND_ALL_CLAIMING}). Rows known only by name learn their
   * GitHub ids, taking them from any other row.
   */
  static Future<Map<Named, Known>> findAll(SqlClient client, Collection<Named> repositories) {
    return find(client, repositories, RepositoryQueries.FIND_ALL_CLAIMING);
  }

  private static Future<Map<Named, Known>> find(SqlClient client, Collection<Named> repositories, String query) {
    List<Named> named = List.copyOf(new LinkedHashSet<>(repositories));
    if (named.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    Long[] ids = named.stream().map(Named::githubId).toArray(Long[]::new);
    String[] names = named.stream().map(Named::fullName).toArray(String[]::new);
    return client.preparedQuery(query).execute(Tuple.of(ids, (Object) names)).compose(rows -> {
      Map<Named, Known> found = new HashMap<>();
      Future<Void> learnt = Future.succeededFuture();
      for (Row r : rows) {
        Named n = named.get(r.getLong("n").intValue() - 1);
        Known known = new Known(r.getLong("id"), r.getString("full_name"), r.getString("default_branch"), r.getBoolean("tracked"));
        found.put(n, known);
        if (r.getLong("github_id") == null) {
          Tuple learn = Tuple.of(known.id(), n.githubId());
          learnt = learnt.compose(v -> client.preparedQuery(RepositoryQueries.RELEASE_ID).execute(learn))
            .compose(v -> client.preparedQuery(RepositoryQueries.LEARN_ID).execute(learn)).mapEmpty();
        }
      }
      return learnt.map(found);
    });
  }

  /**
   * Records repositories as GitHub names them (ids and current names), for
   * installation {@code installationId} when not null; returns their row ids.
   */
  static Future<List<Long>> record(SqlClient client, List<Named> repositories, Long installationId) {
    if (repositories.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    Long[] ids = repositories.stream().map(Named::githubId).toArray(Long[]::new);
    String[] names = repositories.stream().map(Named::fullName).toArray(String[]::new);
    Tuple both = Tuple.of(ids, (Object) names);
    return client.preparedQuery(RepositoryQueries.RELEASE_NAMES).execute(both)
      .compose(v -> client.preparedQuery(RepositoryQueries.LEARN_IDS).execute(both))
      .compose(v -> client.preparedQuery(RepositoryQueries.UPSERT).execute(Tuple.of(ids, names, installationId)))
      .map(rows -> {
        List<Long> out = new ArrayList<>();
        rows.forEach(r -> out.add(r.getLong("id")));
        return out;
      });
  }

  /** Row ids of the repositories with these GitHub ids. */
  static Future<List<Long>> idsOf(SqlClient client, List<Named> repositories) {
    Long[] ids = repositories.stream().map(Named::githubId).toArray(Long[]::new);
    return client.preparedQuery(RepositoryQueries.IDS_BY_GITHUB_ID).execute(Tuple.of((Object) ids)).map(rows -> {
      List<Long> out = new ArrayList<>();
      rows.forEach(r -> out.add(r.getLong("id")));
      return out;
    });
  }

  /** The workspaces (id, slug) that track a repository, in id order. */
  static Future<List<Workspace>> workspaces(SqlClient client, long repositoryId) {
    return client.preparedQuery(RepositoryQueries.WORKSPACES).execute(Tuple.of(repositoryId)).map(rows -> {
      List<Workspace> out = new ArrayList<>();
      rows.forEach(r -> out.add(new Workspace(r.getLong("id"), r.getString("slug"), r.getString("issue_prefix"))));
      return out;
    });
  }

  /** The workspaces tracking each of {@code repositoryIds}, in one statement; a repository none tracks is absent. */
  static Future<Map<Long, List<Workspace>>> workspaces(SqlClient client, Collection<Long> repositoryIds) {
    return client.preparedQuery(RepositoryQueries.WORKSPACES_OF).execute(Tuple.of(repositoryIds.toArray(Long[]::new))).map(rows -> {
      Map<Long, List<Workspace>> out = new HashMap<>();
      rows.forEach(r -> out.computeIfAbsent(r.getLong("repository_id"), id -> new ArrayList<>())
        .add(new Workspace(r.getLong("id"), r.getString("slug"), r.getString("issue_prefix"))));
      return out;
    });
  }

  record Workspace(long id, String slug, String issuePrefix) {
  }
}
