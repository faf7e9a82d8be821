package dev.hookyard.gateway;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Board tokens, the columns, the SockJS event-bus bridge and Server-Sent Events. */
@ExtendWith(VertxExtension.class)
class BoardLiveTest {

  private GatewayFixture gw;
  // Held for the whole test: a client nothing refers to is closed by the garbage collector, connections and all.
  private WebSocketClient sockets;
  private HttpClient streams;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    gw = GatewayFixture.start(vertx, Map.of());
    sockets = vertx.createWebSocketClient();
    streams = vertx.createHttpClient();
    for (String ws : List.of("acme", "other")) {
      assertThat(post("/api/v1/workspaces", new JsonObject().put("slug", ws).put("name", ws).put("issue_prefix", ws.toUpperCase()))
        .statusCode()).isEqualTo(201);
    }
  }

  private HttpResponse<Buffer> post(String uri, JsonObject body) throws Exception {
    return gw.client.post(uri).bearerTokenAuthentication(GatewayFixture.TOKEN).sendJsonObject(body).await(20, TimeUnit.SECONDS);
  }

  private String boardToken(String ws) throws Exception {
    HttpResponse<Buffer> created = gw.client.post("/api/v1/workspaces/" + ws + "/board-tokens")
      .bearerTokenAuthentication(GatewayFixture.TOKEN).send().await(20, TimeUnit.SECONDS);
    assertThat(created.statusCode()).isEqualTo(201);
    return created.bodyAsJsonObject().getString("token");
  }

  private String issue(String title) throws Exception {
    HttpResponse<Buffer> created = post("/api/v1/workspaces/acme/issues", new JsonObject().put("title", title));
    assertThat(created.statusCode()).isEqualTo(201);
    return created.bodyAsJsonObject().getString("identifier");
  }

  private void move(String identifier, String status) throws Exception {
    assertThat(gw.client.patch("/api/v1/workspaces/acme/issues/" + identifier).bearerTokenAuthentication(GatewayFixture.TOKEN)
      .sendJsonObject(new JsonObject().put("status", status)).await(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("Board tokens read their own workspace's columns, in status order; other workspaces and no token get 401")
  void tokensAndColumns() throws Exception {
    String token = boardToken("acme");
    assertThat(token).startsWith("hyb_");
    String id = issue("Columns");
    move(id, "In Progress");
    JsonObject board = gw.client.get("/api/v1/workspaces/acme/board").bearerTokenAuthentication(token).send()
      .await(20, TimeUnit.SECONDS).bodyAsJsonObject();
    assertThat(board.getJsonArray("columns").stream().map(c -> ((JsonObject) c).getString("status")))
      .containsExactly("Backlog", "Investigating", "Needs Review", "In Progress", "In Review", "Done");
    assertThat(board.getJsonArray("columns").getJsonObject(3).getJsonArray("issues").getJsonObject(0).getString("identifier"))
      .isEqualTo(id);
    assertThat(gw.client.get("/api/v1/workspaces/acme/board?token=" + token).send().await(20, TimeUnit.SECONDS).statusCode())
      .isEqualTo(200);
    assertThat(gw.admin(HttpMethod.GET, "/api/v1/workspaces/acme/board").statusCode()).isEqualTo(200);
    assertThat(gw.client.get("/api/v1/workspaces/other/board").bearerTokenAuthentication(token).send()
      .await(20, TimeUnit.SECONDS).statusCode()).isEqualTo(401);
    assertThat(gw.client.get("/api/v1/workspaces/acme/board").send().await(20, TimeUnit.SECONDS).statusCode()).isEqualTo(401);
    // A board token is read-only: the admin API refuses it.
    assertThat(gw.client.get("/api/v1/workspaces/acme/issues").bearerTokenAuthentication(token).send()
      .await(20, TimeUnit.SECONDS).statusCode()).isEqualTo(401);
    assertThat(gw.client.post("/api/v1/workspaces/nope/board-tokens").bearerTokenAuthentication(GatewayFixture.TOKEN).send()
      .await(20, TimeUnit.SECONDS).statusCode()).isEqualTo(404);
  }

  /** A raw SockJS WebSocket speaking the bridge's JSON frames. */
  private BlockingQueue<JsonObject> bridge(String uri, List<JsonObject> frames) throws Exception {
    BlockingQueue<JsonObject> received = new LinkedBlockingQueue<>();
    WebSocket ws = sockets.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gw.port)
      .setURI(uri)).await(20, TimeUnit.SECONDS);
    // The raw WebSocket transport sends the bridge frames as binary or text messages.
    ws.handler(data -> received.add(new JsonObject(data)));
    for (JsonObject frame : frames) {
      ws.writeTextMessage(frame.encode()).await(10, TimeUnit.SECONDS);
    }
    return received;
  }

  private static JsonObject register(String address, String token) {
    JsonObject frame = new JsonObject().put("type", "register").put("address", address);
    return token == null ? frame : frame.put("headers", new JsonObject().put("token", token));
  }

  @Test
  @DisplayName("A SockJS client with a board token receives its board's messages; it is refused without a token, with another workspace's, outside board.*, and when it sends or publishes")
  void sockJsBridge() throws Exception {
    String token = boardToken("acme");
    String otherToken = boardToken("other");
    BlockingQueue<JsonObject> viaHeader = bridge("/eventbus/websocket", List.of(register("board.acme", token)));
    BlockingQueue<JsonObject> viaUrl = bridge("/eventbus/websocket?token=" + token, List.of(register("board.acme", null)));
    Thread.sleep(300);
    String id = issue("Live over the bridge");
    for (BlockingQueue<JsonObject> client : List.of(viaHeader, viaUrl)) {
      JsonObject frame = client.poll(10, TimeUnit.SECONDS);
      assertThat(frame).as("header client %s, url client %s", viaHeader, viaUrl).isNotNull();
      assertThat(frame.getString("type")).isEqualTo("rec");
      assertThat(frame.getString("address")).isEqualTo("board.acme");
      assertThat(frame.getJsonObject("body").getString("identifier")).isEqualTo(id);
      assertThat(frame.getJsonObject("body").getString("type")).isEqualTo("issue.created");
    }

    for (List<JsonObject> refused : List.of(
      List.of(register("board.acme", null)),
      List.of(register("board.acme", otherToken)),
      List.of(register("jobs.wake.webhook.push", token)),
      List.of(new JsonObject().put("type", "send").put("address", "board.acme").put("body", new JsonObject()),
        new JsonObject().put("type", "publish").put("address", "board.acme").put("body", new JsonObject())),
      List.of(new JsonObject().put("type", "publish").put("address", "users.changed").put("body", new JsonObject())))) {
      BlockingQueue<JsonObject> client = bridge("/eventbus/websocket", refused);
      for (int i = 0; i < refused.size(); i++) {
        JsonObject err = client.poll(10, TimeUnit.SECONDS);
        assertThat(err).as("answer to %s", refused).isNotNull();
        assertThat(err.getString("type")).isEqualTo("err");
        assertThat(err.getString("body")).isIn("access_denied", "rejected");
      }
    }
  }

  /** Opens an SSE stream and collects its messages' data. */
  private BlockingQueue<JsonObject> events(String token, String lastEventId) throws Exception {
    BlockingQueue<JsonObject> out = new LinkedBlockingQueue<>();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1").setPort(gw.port)
      .setURI("/api/v1/workspaces/acme/board/events?token=" + token);
    if (lastEventId != null) {
      options.putHeader("Last-Event-ID", lastEventId);
    }
    StringBuilder pending = new StringBuilder();
    // The handler is set as the response arrives, on its event loop, so no early chunk is missed.
    HttpClientResponse res = streams.request(options).compose(req -> req.send()).map(r -> {
      r.handler(chunk -> {
        pending.append(chunk.toString());
        int end;
        while ((end = pending.indexOf("\n\n")) >= 0) {
          String event = pending.substring(0, end);
          pending.delete(0, end + 2);
          for (String line : event.split("\n")) {
            if (line.startsWith("data: ")) {
              out.add(new JsonObject(line.substring(6)));
            }
          }
        }
      });
      return r;
    }).await(20, TimeUnit.SECONDS);
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.getHeader("Content-Type")).startsWith("text/event-stream");
    return out;
  }

  @Test
  @DisplayName("Server-Sent Events carry the board's messages live, and a client coming back with Last-Event-ID gets exactly what it missed")
  void serverSentEvents() throws Exception {
    String token = boardToken("acme");
    BlockingQueue<JsonObject> live = events(token, null);
    Thread.sleep(300);
    String id = issue("Seen over SSE");
    JsonObject created = live.poll(10, TimeUnit.SECONDS);
    assertThat(created).isNotNull();
    assertThat(created.getString("identifier")).isEqualTo(id);
    move(id, "Investigating");
    move(id, "In Progress");
    JsonObject first = live.poll(10, TimeUnit.SECONDS);
    JsonObject second = live.poll(10, TimeUnit.SECONDS);
    assertThat(first.getString("to")).isEqualTo("Investigating");
    assertThat(second.getString("to")).isEqualTo("In Progress");

    BlockingQueue<JsonObject> resumed = events(token, String.valueOf(created.getLong("id")));
    assertThat(resumed.poll(10, TimeUnit.SECONDS).getLong("id")).isEqualTo(first.getLong("id"));
    assertThat(resumed.poll(10, TimeUnit.SECONDS).getLong("id")).isEqualTo(second.getLong("id"));
    move(id, "In Review");
    JsonObject next = resumed.poll(10, TimeUnit.SECONDS);
    assertThat(next.getString("to")).isEqualTo("In Review");
    assertThat(resumed.poll(500, TimeUnit.MILLISECONDS)).isNull();

    HttpResponse<Buffer> refused = gw.client.get("/api/v1/workspaces/acme/board/events").send().await(20, TimeUnit.SECONDS);
    assertThat(refused.statusCode()).isEqualTo(401);
  }
}
