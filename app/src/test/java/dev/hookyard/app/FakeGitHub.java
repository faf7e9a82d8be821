package dev.hookyard.app;

import dev.hookyard.common.testing.Ports;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local stand-in for GitHub's REST API, as a Vert.x HTTP server: a GitHub App whose
 * JWT it verifies and whose installation tokens it issues (with lifetimes the test
 * picks, and revocable), file contents as base64, commits with their stats, pull
 * request commits over pages, 404 for anything it does not know, and a 403 rate limit
 * with a reset time on demand. Every request is recorded with its Authorization header.
 */
final class FakeGitHub implements AutoCloseable {

  static final String APP_ID = "4242";

  record Request(Instant at, String method, String path, String auth) {
  }

  final int port;
  final List<Request> requests = new CopyOnWriteArrayList<>();
  /** Issued installation tokens, in order. */
  final List<String> issued = new CopyOnWriteArrayList<>();

  private final Vertx vertx = Vertx.vertx();
  private final KeyPair keys;
  private final String personalToken;
  private final Map<String, String> files = new ConcurrentHashMap<>();
  private final Map<String, int[]> commitStats = new ConcurrentHashMap<>();
  private final Map<String, List<JsonArray>> pullCommits = new ConcurrentHashMap<>();
  private final Set<String> revoked = ConcurrentHashMap.newKeySet();
  private final Deque<Duration> lifetimes = new ArrayDeque<>();
  private final AtomicInteger rateLimited = new AtomicInteger();
  private volatile String rateLimitedPrefix = "";
  private volatile Instant rateLimitReset;
  private volatile Future<Void> commitGate = Future.succeededFuture();

  FakeGitHub(String personalToken) throws Exception {
    this.personalToken = personalToken;
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(2048);
    this.keys = generator.generateKeyPair();
    this.port = Ports.freePort();
    vertx.createHttpServer().requestHandler(this::handle).listen(port, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  /** The App's private key, PKCS#8 PEM. */
  String privateKeyPem() {
    String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(keys.getPrivate().getEncoded());
    return "-----BEGIN PRIVATE KEY-----\n" + b64 + "\n-----END PRIVATE KEY-----\n";
  }

  void file(String repo, String path, String ref, String text) {
    files.put(repo + ":" + path + "@" + ref, text);
  }

  void commit(String repo, String sha, int additions, int deletions) {
    commitStats.put(repo + "@" + sha, new int[] {additions, deletions});
  }

  void pullRequestCommits(String repo, int number, List<JsonArray> pages) {
    pullCommits.put(repo + "#" + number, pages);
  }

  /** The lifetimes of the next installation tokens issued (then an hour each). */
  synchronized void tokenLifetimes(Duration... next) {
    lifetimes.addAll(List.of(next));
  }

  /** GitHub stops accepting {@code token} (401). */
  void revoke(String token) {
    revoked.add(token);
  }

  /** The next {@code times} requests whose path starts with {@code prefix} answer 403 with the limit spent until {@code reset}. */
  void rateLimit(String prefix, int times, Instant reset) {
    rateLimitedPrefix = prefix;
    rateLimitReset = reset;
    rateLimited.set(times);
  }

  /** Commit requests wait for {@code gate} before they are looked at (credentials included). */
  void holdCommits(Future<Void> gate) {
    commitGate = gate;
  }

  List<Request> requests(String pathPrefix) {
    return requests.stream().filter(r -> r.path().startsWith(pathPrefix)).toList();
  }

  private void handle(HttpServerRequest req) {
    String path = req.path();
    String auth = req.getHeader("Authorization");
    requests.add(new Request(Instant.now(), req.method().name(), path, auth));
    if (path.startsWith(rateLimitedPrefix) && rateLimited.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      req.response().setStatusCode(403).putHeader("X-RateLimit-Remaining", "0")
        .putHeader("X-RateLimit-Reset", String.valueOf(rateLimitReset.getEpochSecond()))
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("message", "API rate limit exceeded").encode());
      return;
    }
    if (req.method().name().equals("POST") && path.matches("/app/installations/\\d+/access_tokens")) {
      if (!validJwt(auth)) {
        req.response().setStatusCode(401).end();
        return;
      }
      Duration lifetime;
      synchronized (this) {
        lifetime = lifetimes.isEmpty() ? Duration.ofHours(1) : lifetimes.poll();
      }
      String token = "ghs_" + path.split("/")[3] + "_" + (issued.size() + 1);
      issued.add(token);
      json(req, 201, new JsonObject().put("token", token).put("expires_at", Instant.now().plus(lifetime).toString()));
      return;
    }
    if (!path.startsWith("/repos/")) {
      req.response().setStatusCode(404).end();
      return;
    }
    if (path.contains("/commits/")) {
      commitGate.onComplete(v -> answerRepository(req, path, auth));
    } else {
      answerRepository(req, path, auth);
    }
  }

  private void answerRepository(HttpServerRequest req, String path, String auth) {
    String bearer = auth == null || !auth.startsWith("Bearer ") ? null : auth.substring(7);
    boolean accepted = bearer != null && !revoked.contains(bearer) && (bearer.equals(personalToken) || issued.contains(bearer));
    if (!accepted) {
      json(req, 401, new JsonObject().put("message", "Bad credentials"));
      return;
    }
    String[] parts = path.split("/", 6);
    String repo = parts[2] + "/" + parts[3];
    String rest = parts.length > 5 ? parts[5] : "";
    switch (parts.length > 4 ? parts[4] : "") {
      case "contents" -> {
        String text = files.get(repo + ":" + rest + "@" + req.getParam("ref"));
        if (text == null) {
          json(req, 404, new JsonObject().put("message", "Not Found"));
        } else {
          String b64 = Base64.getMimeEncoder(60, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(text.getBytes(StandardCharsets.UTF_8));
          json(req, 200, new JsonObject().put("type", "file").put("encoding", "base64").put("path", rest).put("content", b64 + "\n"));
        }
      }
      case "commits" -> {
        int[] stats = commitStats.get(repo + "@" + rest);
        if (stats == null) {
          json(req, 404, new JsonObject().put("message", "No commit found for SHA: " + rest));
        } else {
          json(req, 200, new JsonObject().put("sha", rest).put("stats",
            new JsonObject().put("additions", stats[0]).put("deletions", stats[1]).put("total", stats[0] + stats[1])));
        }
      }
      case "pulls" -> {
        List<JsonArray> pages = pullCommits.get(repo + "#" + rest.split("/")[0]);
        int page = req.getParam("page") == null ? 1 : Integer.parseInt(req.getParam("page"));
        if (pages == null || !rest.endsWith("/commits") || page > pages.size()) {
          json(req, 404, new JsonObject().put("message", "Not Found"));
          return;
        }
        if (page < pages.size()) {
          req.response().putHeader("Link", "<" + url() + path + "?per_page=100&page=" + (page + 1) + ">; rel=\"next\"");
        }
        req.response().putHeader("Content-Type", "application/json").end(pages.get(page - 1).encode());
      }
      default -> json(req, 404, new JsonObject().put("message", "Not Found"));
    }
  }

  /** An RS256 JWT signed by the App's key, issued by the App. */
  private boolean validJwt(String auth) {
    try {
      String[] jwt = auth.substring("Bearer ".length()).split("\\.");
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initVerify(keys.getPublic());
      rsa.update((jwt[0] + "." + jwt[1]).getBytes(StandardCharsets.US_ASCII));
      JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(jwt[1]), StandardCharsets.UTF_8));
      return rsa.verify(Base64.getUrlDecoder().decode(jwt[2])) && APP_ID.equals(claims.getString("iss"))
        && claims.getLong("exp") > Instant.now().getEpochSecond();
    } catch (Exception e) {
      return false;
    }
  }

  private static void json(HttpServerRequest req, int status, JsonObject body) {
    req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  @Override
  public void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }
}
