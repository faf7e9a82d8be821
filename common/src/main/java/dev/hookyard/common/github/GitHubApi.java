package dev.hookyard.common.github;

import dev.hookyard.common.config.HookyardConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GitHub's REST API, as much of it as hookyard uses: a pull request's commits (release
 * PRs), comparing two commits (what a deploy shipped), the published hook source ranges,
 * and the App's hook deliveries (the redelivery reconciler). Timeouts on every call;
 * {@code Link: rel="next"} pagination, bounded.
 */
public final class GitHubApi {

  private static final Pattern NEXT = Pattern.compile("<([^>]+)>;\\s*rel=\"next\"");
  private static final int MAX_PAGES = 50;

  private final WebClient client;
  private final String base;
  private final String token;

  public GitHubApi(Vertx vertx, String baseUrl, String token) {
    this.base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.token = token;
    this.client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(10_000).setIdleTimeout(30)
      .setUserAgent("hookyard").setFollowRedirects(true));
  }

  /** From {@code HOOKYARD_GITHUB_API_URL} and {@code HOOKYARD_GITHUB_TOKEN}. */
  public static GitHubApi of(Vertx vertx, HookyardConfig config) {
    return new GitHubApi(vertx, config.string(HookyardConfig.GITHUB_API_URL, "https://api.github.com"),
      config.string(HookyardConfig.GITHUB_TOKEN, null));
  }

  public boolean hasToken() {
    return token != null;
  }

  /** {@code GET /repos/{owner}/{repo}/pulls/{n}/commits}, every page. */
  public Future<List<JsonObject>> pullRequestCommits(String fullName, int number) {
    return pages(base + "/repos/" + fullName + "/pulls/" + number + "/commits?per_page=100", token, o -> true, 0, new ArrayList<>());
  }

  /** The commit messages of a pull request. */
  public Future<List<String>> commitMessages(String fullName, int number) {
    return pullRequestCommits(fullName, number).map(commits -> commits.stream()
      .map(c -> c.getJsonObject("commit", new JsonObject()).getString("message", "")).toList());
  }

  /** {@code GET /repos/{owner}/{repo}/compare/{base}...{head}}: "ahead", "identical", "behind" or "diverged". */
  public Future<String> compareStatus(String fullName, String baseSha, String headSha) {
    return get(base + "/repos/" + fullName + "/compare/" + baseSha + "..." + headSha, token)
      .map(res -> res.bodyAsJsonObject().getString("status"));
  }

  /** Whether {@code head} contains {@code commit}: the head is ahead of it or the same. */
  public Future<Boolean> contains(String fullName, String commit, String head) {
    return compareStatus(fullName, commit, head).map(status -> "ahead".equals(status) || "identical".equals(status));
  }

  /** {@code GET /meta}: the source ranges of GitHub's webhooks ({@code hooks}). */
  public Future<List<String>> hookRanges() {
    return get(base + "/meta", token).map(res -> {
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
    return pages(base + "/app/hook/deliveries?per_page=100", jwt, keepGoing, 0, new ArrayList<>());
  }

  /** {@code POST /app/hook/deliveries/{id}/attempts}: asks GitHub to deliver it again. */
  public Future<Void> redeliver(String jwt, long deliveryId) {
    return send(client.postAbs(base + "/app/hook/deliveries/" + deliveryId + "/attempts"), jwt).mapEmpty();
  }

  private Future<List<JsonObject>> pages(String url, String auth, Predicate<JsonObject> keepGoing, int page, List<JsonObject> out) {
    return get(url, auth).compose(res -> {
      JsonArray items = res.bodyAsJsonArray();
      items.forEach(o -> out.add((JsonObject) o));
      String link = res.getHeader("Link");
      Matcher next = link == null ? null : NEXT.matcher(link);
      boolean more = next != null && next.find() && page + 1 < MAX_PAGES
        && (items.isEmpty() || keepGoing.test(items.getJsonObject(items.size() - 1)));
      return more ? pages(next.group(1), auth, keepGoing, page + 1, out) : Future.succeededFuture(out);
    });
  }

  private Future<HttpResponse<Buffer>> get(String url, String auth) {
    return send(client.getAbs(url), auth);
  }

  private Future<HttpResponse<Buffer>> send(HttpRequest<Buffer> request, String auth) {
    request.timeout(30_000).putHeader("Accept", "application/vnd.github+json").putHeader("X-GitHub-Api-Version", "2022-11-28");
    if (auth != null) {
      request.bearerTokenAuthentication(auth);
    }
    return request.send().compose(res -> res.statusCode() / 100 == 2 ? Future.succeededFuture(res)
      : Future.failedFuture(new IllegalStateException("GitHub answered " + res.statusCode() + " to "
        + request.method() + " " + request.uri())));
  }

  public void close() {
    client.close();
  }
}
