package dev.hookyard.common.github;

import dev.hookyard.common.config.HookyardConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GitHub's REST API, as much of it as hookyard uses, through one client: a pull
 * request's commits (release PRs), comparing two commits (what a deploy shipped), a
 * file at a commit (project plans), one commit's size, the published hook source
 * ranges, and the App's hook deliveries (the redelivery reconciler).
 *
 * <p>Calls about a repository authenticate as the installation of the App it comes
 * through, when an App is configured and the installation is known: an installation
 * access token (from the App's JWT) kept until shortly before it expires and renewed
 * once when GitHub refuses it (401). Otherwise they use {@code HOOKYARD_GITHUB_TOKEN};
 * with neither they fail with {@link NoGitHubCredentials} without calling GitHub.
 *
 * <p>A rate-limit answer (403 or 429 with {@code Retry-After}, or with
 * {@code X-RateLimit-Remaining: 0} and {@code X-RateLimit-Reset}) fails the call with
 * {@link GitHubRateLimited} carrying the time it lifts, and until then calls with the
 * same credentials fail the same way without reaching GitHub. Timeouts on every call;
 * {@code Link: rel="next"} pagination, bounded.
 */
public final class GitHubApi {

  private static final Pattern NEXT = Pattern.compile("<([^>]+)>;\\s*rel=\"next\"");
  private static final int MAX_PAGES = 50;
  private static final int TIMEOUT_MS = 30_000;
  /** A 429 that names no time: GitHub asks clients to wait at least a minute. */
  private static final Duration UNTIMED_LIMIT = Duration.ofMinutes(1);
  private static final String PERSONAL = "token";
  private static final String APP = "app";

  /** One commit's size, from its {@code stats}. */
  public record CommitSize(String sha, int additions, int deletions) {
  }

  /** How calls for one repository authenticate; {@code installation} is null for the personal token. */
  private record Auth(String key, String token, Long installation) {
  }

  private final WebClient client;
  private final String base;
  private final String token;
  private final AppJwt app;
  private final Pool pool;
  private final Clock clock;
  private final InstallationTokens installations;
  private final ConcurrentHashMap<String, Instant> limitedUntil = new ConcurrentHashMap<>();

  /** A client with a personal token only (or none). */
  public GitHubApi(Vertx vertx, String baseUrl, String token) {
    this(vertx, baseUrl, token, null, null, Clock.systemUTC());
  }

  /**
   * A client that uses the App's installation tokens for repositories whose installation
   * {@code pool}'s {@code repositories} table knows, else {@code token}.
   */
  public GitHubApi(Vertx vertx, String baseUrl, String token, AppJwt app, Pool pool, Clock clock) {
    this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.token = token;
    this.app = app;
    this.pool = pool;
    this.clock = clock;
    this.installations = new InstallationTokens(this::issueToken, clock);
    this.client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(10_000).setIdleTimeout(30)
      .setUserAgent("hookyard").setFollowRedirects(true));
  }

  /** From {@code HOOKYARD_GITHUB_API_URL} and {@code HOOKYARD_GITHUB_TOKEN}. */
  public static GitHubApi of(Vertx vertx, HookyardConfig config) {
    return new GitHubApi(vertx, config.string(HookyardConfig.GITHUB_API_URL, HookyardConfig.DEFAULT_GITHUB_API_URL),
      config.string(HookyardConfig.GITHUB_TOKEN, null));
  }

  /** The same, plus the App ({@code HOOKYARD_GITHUB_APP_ID} and key) and its installations as {@code pool} knows them. */
  public static GitHubApi of(Vertx vertx, HookyardConfig config, Pool pool) {
    return new GitHubApi(vertx, config.string(HookyardConfig.GITHUB_API_URL, HookyardConfig.DEFAULT_GITHUB_API_URL),
      config.string(HookyardConfig.GITHUB_TOKEN, null), AppJwt.of(config), pool, Clock.systemUTC());
  }

  /** Whether any credentials are configured (a personal token, or an App); a repository may still have none. */
  public boolean configured() {
    return token != null || (app != null && pool != null);
  }

  /** {@code GET /repos/{owner}/{repo}/pulls/{n}/commits}, every page. */
  public Future<List<JsonObject>> pullRequestCommits(String fullName, int number) {
    return pages(fullName, base + "/repos/" + fullName + "/pulls/" + number + "/commits?per_page=100", 0, new ArrayList<>());
  }

  /** The commit messages of a pull request. */
  public Future<List<String>> commitMessages(String fullName, int number) {
    return pullRequestCommits(fullName, number).map(commits -> commits.stream()
      .map(c -> c.getJsonObject("commit", new JsonObject()).getString("message", "")).toList());
  }

  /** {@code GET /repos/{owner}/{repo}/compare/{base}...{head}}: "ahead", "identical", "behind" or "diverged". */
  public Future<String> compareStatus(String fullName, String baseSha, String headSha) {
    return forRepository(fullName, HttpMethod.GET, base + "/repos/" + fullName + "/compare/" + baseSha + "..." + headSha)
      .map(res -> res.bodyAsJsonObject().getString("status"));
  }

  /** Whether {@code head} contains {@code commit}: the head is ahead of it or the same. */
  public Future<Boolean> contains(String fullName, String commit, String head) {
    return compareStatus(fullName, commit, head).map(status -> "ahead".equals(status) || "identical".equals(status));
  }

  /**
   * {@code GET /repos/{owner}/{repo}/contents/{path}?ref=}: the file's text (UTF-8) at
   * {@code ref}. A missing file fails with a {@link GitHubApiException} whose
   * {@link GitHubApiException#notFound()} holds; so does a path that is not a file.
   */
  public Future<String> fileAt(String fullName, String path, String ref) {
    String url = base + "/repos/" + fullName + "/contents/" + encodePath(path) + "?ref=" + encode(ref);
    return forRepository(fullName, HttpMethod.GET, url).compose(res -> {
      Object body = res.bodyAsJson(Object.class);
      if (!(body instanceof JsonObject file) || !"file".equals(file.getString("type", "file"))) {
        String kind = body instanceof JsonObject o ? o.getString("type") : "directory";
        return Future.failedFuture(new GitHubApiException(404, path + " at " + ref + " is a " + kind + ", not a file"));
      }
      if (!"base64".equals(file.getString("encoding"))) {
        return Future.failedFuture(new GitHubApiException(413, path + " at " + ref + " is too large for the contents API"));
      }
      byte[] bytes = Base64.getMimeDecoder().decode(file.getString("content", ""));
      return Future.succeededFuture(new String(bytes, StandardCharsets.UTF_8));
    });
  }

  /** {@code GET /repos/{owner}/{repo}/commits/{sha}}: the lines it adds and deletes. */
  public Future<CommitSize> commitSize(String fullName, String sha) {
    return forRepository(fullName, HttpMethod.GET, base + "/repos/" + fullName + "/commits/" + encode(sha)).map(res -> {
      JsonObject stats = res.bodyAsJsonObject().getJsonObject("stats", new JsonObject());
      return new CommitSize(sha, stats.getInteger("additions", 0), stats.getInteger("deletions", 0));
    });
  }

  /** {@code GET /meta}: the source ranges of GitHub's webhooks ({@code hooks}). */
  public Future<List<String>> hookRanges() {
    return send(HttpMethod.GET, base + "/meta", new Auth(PERSONAL, token, null)).map(res -> {
      List<String> ranges = new ArrayList<>();
      res.bodyAsJsonObject().getJsonArray("hooks", new JsonArray()).forEach(r -> ranges.add(String.valueOf(r)));
      return ranges;
    });
  }

  /**
   * {@code GET /app/hook/deliveries} with an App JWT, newest first, page after page
   * while {@code keepGoing} accepts the last delivery of a page.
   */
  public Future<List<JsonObject>> appHookDeliveries(String jwt, Predicate<JsonObject> keepGoing) {
    return appPages(base + "/app/hook/deliveries?per_page=100", jwt, keepGoing, 0, new ArrayList<>());
  }

  /** {@code POST /app/hook/deliveries/{id}/attempts}: asks GitHub to deliver it again. */
  public Future<Void> redeliver(String jwt, long deliveryId) {
    return send(HttpMethod.POST, base + "/app/hook/deliveries/" + deliveryId + "/attempts", new Auth(APP, jwt, null)).mapEmpty();
  }

  /** Which credentials a repository's calls use: its installation's token, else the personal token. */
  private Future<Auth> auth(String fullName) {
    if (app == null || pool == null) {
      return personal(fullName);
    }
    return pool.preparedQuery(GitHubQueries.INSTALLATION_OF).execute(Tuple.of(fullName)).compose(rows -> {
      Long installation = rows.size() == 0 ? null : rows.iterator().next().getLong(0);
      return installation == null ? personal(fullName)
        : installations.get(installation).map(t -> new Auth("installation:" + installation, t.value(), installation));
    });
  }

  private Future<Auth> personal(String fullName) {
    return token != null ? Future.succeededFuture(new Auth(PERSONAL, token, null))
      : Future.failedFuture(new NoGitHubCredentials("no GitHub credentials for " + fullName + ": "
        + (app != null ? "no installation of the App is known for it" : "no GitHub App configured")
        + " and HOOKYARD_GITHUB_TOKEN is not set"));
  }

  /** One call about a repository; an installation token GitHub refuses (401) is renewed and the call made once more. */
  private Future<HttpResponse<Buffer>> forRepository(String fullName, HttpMethod method, String url) {
    return auth(fullName).compose(auth -> send(method, url, auth).recover(err -> {
      if (auth.installation() == null || !(err instanceof GitHubApiException e) || e.status() != 401) {
        return Future.failedFuture(err);
      }
      installations.refused(auth.installation(), auth.token());
      return installations.get(auth.installation())
        .compose(fresh -> send(method, url, new Auth(auth.key(), fresh.value(), auth.installation())));
    }));
  }

  private Future<InstallationTokens.Token> issueToken(long installation) {
    String jwt;
    try {
      jwt = app.token(clock.instant());
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return send(HttpMethod.POST, base + "/app/installations/" + installation + "/access_tokens", new Auth(APP, jwt, null))
      .compose(res -> {
        JsonObject body = res.bodyAsJsonObject();
        String value = body == null ? null : body.getString("token");
        try {
          Instant expires = Instant.parse(body == null ? "" : body.getString("expires_at", ""));
          return value == null ? Future.failedFuture(new GitHubApiException(res.statusCode(), "GitHub issued no token for installation " + installation))
            : Future.succeededFuture(new InstallationTokens.Token(value, expires));
        } catch (DateTimeParseException e) {
          return Future.failedFuture(new GitHubApiException(res.statusCode(),
            "GitHub's token for installation " + installation + " has no readable expires_at"));
        }
      });
  }

  private Future<List<JsonObject>> pages(String fullName, String url, int page, List<JsonObject> out) {
    return forRepository(fullName, HttpMethod.GET, url).compose(res -> {
      res.bodyAsJsonArray().forEach(o -> out.add((JsonObject) o));
      String next = page + 1 < MAX_PAGES ? next(res) : null;
      return next != null ? pages(fullName, next, page + 1, out) : Future.succeededFuture(out);
    });
  }

  private Future<List<JsonObject>> appPages(String url, String jwt, Predicate<JsonObject> keepGoing, int page, List<JsonObject> out) {
    return send(HttpMethod.GET, url, new Auth(APP, jwt, null)).compose(res -> {
      JsonArray items = res.bodyAsJsonArray();
      items.forEach(o -> out.add((JsonObject) o));
      String next = page + 1 < MAX_PAGES ? next(res) : null;
      boolean more = next != null && (items.isEmpty() || keepGoing.test(items.getJsonObject(items.size() - 1)));
      return more ? appPages(next, jwt, keepGoing, page + 1, out) : Future.succeededFuture(out);
    });
  }

  private static String next(HttpResponse<Buffer> res) {
    String link = res.getHeader("Link");
    Matcher next = link == null ? null : NEXT.matcher(link);
    return next != null && next.find() ? next.group(1) : null;
  }

  private Future<HttpResponse<Buffer>> send(HttpMethod method, String url, Auth auth) {
    Instant now = clock.instant();
    Instant until = limitedUntil.get(auth.key());
    if (until != null) {
      if (until.isAfter(now)) {
        return Future.failedFuture(new GitHubRateLimited("GitHub's rate limit (" + auth.key() + ") is spent until " + until, until));
      }
      limitedUntil.remove(auth.key(), until);
    }
    HttpRequest<Buffer> request = client.requestAbs(method, url).timeout(TIMEOUT_MS)
      .putHeader("Accept", "application/vnd.github+json").putHeader("X-GitHub-Api-Version", "2022-11-28");
    if (auth.token() != null) {
      request.bearerTokenAuthentication(auth.token());
    }
    return request.send().compose(res -> {
      if (res.statusCode() / 100 == 2) {
        return Future.succeededFuture(res);
      }
      String call = method + " " + request.uri().replaceFirst("\\?.*", "");
      Instant lifts = rateLimitLifts(res, clock.instant());
      if (lifts != null) {
        limitedUntil.merge(auth.key(), lifts, (a, b) -> a.isAfter(b) ? a : b);
        return Future.failedFuture(new GitHubRateLimited("GitHub rate-limited " + call + " (" + res.statusCode()
          + ") until " + lifts, lifts));
      }
      return Future.failedFuture(new GitHubApiException(res.statusCode(), "GitHub answered " + res.statusCode() + " to " + call));
    });
  }

  /** When a rate-limit answer says the limit lifts; null when the answer is no rate limit. */
  static Instant rateLimitLifts(HttpResponse<Buffer> res, Instant now) {
    if (res.statusCode() != 403 && res.statusCode() != 429) {
      return null;
    }
    Long retryAfter = number(res.getHeader("Retry-After"));
    if (retryAfter != null) {
      return now.plusSeconds(Math.max(0, retryAfter));
    }
    Long reset = number(res.getHeader("X-RateLimit-Reset"));
    if ("0".equals(res.getHeader("X-RateLimit-Remaining")) && reset != null) {
      return Instant.ofEpochSecond(reset);
    }
    return res.statusCode() == 429 ? now.plus(UNTIMED_LIMIT) : null;
  }

  private static Long number(String header) {
    try {
      return header == null ? null : Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return null;
    }
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** Each segment of a repository path encoded, the slashes kept. */
  private static String encodePath(String path) {
    StringBuilder out = new StringBuilder();
    String[] segments = path.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      out.append(i == 0 ? "" : "/").append(encode(segments[i]));
    }
    return out.toString();
  }

  public void close() {
    client.close();
  }
}
