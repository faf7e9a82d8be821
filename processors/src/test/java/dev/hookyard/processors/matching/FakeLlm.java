package dev.hookyard.processors.matching;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An LLM provider on a free loopback port that answers the way it is told to, in
 * OpenAI's chat-completion shape or Gemini's generateContent shape (chosen by path),
 * and counts the requests that reach it.
 */
final class FakeLlm implements AutoCloseable {

  enum Answer { CONFIDENT, DOUBTFUL, SLOW, SERVER_ERROR, PROSE }

  final AtomicInteger requests = new AtomicInteger();
  volatile Answer answer = Answer.CONFIDENT;
  volatile String lastPath;
  volatile String lastAuthorization;
  volatile String lastGoogleKey;
  volatile JsonObject lastBody;

  private final Vertx vertx;
  private final HttpServer server;

  private FakeLlm(Vertx vertx, HttpServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  /** On a Vert.x of its own, which {@link #close()} closes. */
  static FakeLlm start() throws Exception {
    Vertx vertx = Vertx.vertx();
    FakeLlm[] self = new FakeLlm[1];
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
      .requestHandler(req -> req.body().onSuccess(body -> self[0].answer(req, body.toJsonObject())));
    self[0] = new FakeLlm(vertx, server);
    server.listen().await(10, TimeUnit.SECONDS);
    return self[0];
  }

  String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/v1";
  }

  private void answer(io.vertx.core.http.HttpServerRequest req, JsonObject body) {
    requests.incrementAndGet();
    lastPath = req.path();
    lastAuthorization = req.getHeader("Authorization");
    lastGoogleKey = req.getHeader("x-goog-api-key");
    lastBody = body;
    String text = switch (answer) {
      case CONFIDENT -> "{\"confidence\": 92, \"reason\": \"The PR guards the empty password that crashes login.\"}";
      case DOUBTFUL -> "```json\n{\"confidence\": 40, \"reason\": \"Related area, different bug.\"}\n```";
      case PROSE -> "Sure! I think this PR is probably related to the issue.";
      default -> "{}";
    };
    boolean gemini = req.path().endsWith(":generateContent");
    JsonObject response = gemini
      ? new JsonObject().put("candidates", new JsonArray().add(new JsonObject().put("content",
        new JsonObject().put("role", "model").put("parts", new JsonArray().add(new JsonObject().put("text", text))))))
      : new JsonObject().put("choices", new JsonArray().add(new JsonObject().put("index", 0)
        .put("message", new JsonObject().put("role", "assistant").put("content", text))));
    switch (answer) {
      case SERVER_ERROR -> req.response().setStatusCode(500).end("{\"error\":\"overloaded\"}");
      case SLOW -> vertx.setTimer(2_000, t -> req.response().putHeader("content-type", "application/json").end(response.encode()));
      default -> req.response().putHeader("content-type", "application/json").end(response.encode());
    }
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
