package dev.hookyard.gateway.admin;

import dev.hookyard.common.JsonDates;
import dev.hookyard.gateway.http.ApiErrors;
import dev.hookyard.gateway.http.QueryParams;
import dev.hookyard.gateway.http.Fields;
import dev.hookyard.gateway.http.JsonRequest;
import dev.hookyard.gateway.http.AdminAuth;
import dev.hookyard.common.Addresses;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.regex.Pattern;

import static dev.hookyard.common.JsonDates.iso;

/**
 * Internal users, to whom GitHub activity is attributed. Every change is announced on
 * {@code users.changed}, so processors on every node drop their cached mappings.
 */
final class UserApi {

  private static final Logger log = LoggerFactory.getLogger(UserApi.class);

  static final Pattern LOGIN = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})");
  static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,200}@[^@\\s]{1,200}");

  private final Vertx vertx;
  private final Pool pool;

  UserApi(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  void mount(Router router, AdminAuth auth) {
    router.post("/api/v1/users").handler(auth).handler(this::create);
    router.get("/api/v1/users").handler(auth).handler(this::list);
  }

  private void create(RoutingContext ctx) {
    JsonRequest req = JsonRequest.of(ctx);
    String login = req.string("login", LOGIN, "a GitHub login", false);
    String name = req.string("name", Fields.NAME, "a non-blank name", true);
    String email = req.string("email", EMAIL, "an email address", true);
    Long githubId = req.positive("github_id", true);
    if (!req.ok()) {
      return;
    }
    pool.preparedQuery(TrackingQueries.CREATE_USER).execute(Tuple.of(login, name, email, githubId)).onSuccess(rows -> {
      JsonObject user = user(rows.iterator().next());
      vertx.eventBus().publish(Addresses.USERS_CHANGED, new JsonObject().put("type", "users.changed").put("user_id", user.getLong("id")));
      log.info("User {} created (GitHub id {})", login, githubId);
      ApiErrors.json(ctx, 201, user);
    }).onFailure(err -> ApiErrors.conflictOrFailed(ctx, err, "a user with login " + login
      + (githubId == null ? "" : " or GitHub id " + githubId) + " already exists"));
  }

  private void list(RoutingContext ctx) {
    Integer limit = QueryParams.intParam(ctx, "limit", 1000, 1, 10_000);
    if (limit == null) {
      return;
    }
    pool.preparedQuery(TrackingQueries.USERS).execute(Tuple.of(limit)).onSuccess(rows -> {
      JsonArray out = new JsonArray();
      rows.forEach(r -> out.add(user(r)));
      ApiErrors.json(ctx, 200, out);
    }).onFailure(err -> ApiErrors.failed(ctx, err));
  }

  private static JsonObject user(Row r) {
    return new JsonObject().put("id", r.getLong("id")).put("login", r.getString("login")).put("name", r.getString("name"))
      .put("email", r.getString("email")).put("github_id", r.getLong("github_id"))
      .put("created_at", iso(r.getOffsetDateTime("created_at")));
  }
}
