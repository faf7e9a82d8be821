package dev.hookyard.gateway.board;

import dev.hookyard.common.Addresses;
import dev.hookyard.gateway.http.Fields;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.bridge.PermittedOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.sockjs.BridgeEvent;
import io.vertx.ext.web.handler.sockjs.SockJSBridgeOptions;
import io.vertx.ext.web.handler.sockjs.SockJSHandler;
import io.vertx.ext.web.handler.sockjs.SockJSSocket;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The SockJS event-bus bridge at {@code /eventbus/*}: only {@code board.<workspace>}
 * goes out, nothing comes in. A client may register for a board only with a token valid
 * for that workspace, in the register frame's headers ({@code {"token":…}}) or as
 * {@code ?token=} on the SockJS URL.
 */
final class BoardBridge implements Handler<BridgeEvent> {

  static final String BOARD_ADDRESSES = "board\\." + Fields.SLUG.pattern();

  private final BoardAccess access;
  private final Map<SockJSSocket, String> urlTokens = new ConcurrentHashMap<>();

  private BoardBridge(BoardAccess access) {
    this.access = access;
  }

  static Router router(Vertx vertx, BoardAccess access) {
    SockJSBridgeOptions options = new SockJSBridgeOptions()
      .addOutboundPermitted(new PermittedOptions().setAddressRegex(BOARD_ADDRESSES));
    return SockJSHandler.create(vertx).bridge(options, new BoardBridge(access));
  }

  @Override
  public void handle(BridgeEvent event) {
    switch (event.type()) {
      case SOCKET_CREATED -> {
        String token = queryToken(event.socket().uri());
        if (token != null) {
          urlTokens.put(event.socket(), token);
        }
        event.complete(true);
      }
      case SOCKET_CLOSED -> {
        urlTokens.remove(event.socket());
        event.complete(true);
      }
      case REGISTER -> register(event);
      // Nothing is let in, whatever the address: the board is read-only.
      case SEND, PUBLISH -> event.complete(false);
      default -> event.complete(true);
    }
  }

  private void register(BridgeEvent event) {
    JsonObject raw = event.getRawMessage();
    String address = raw == null ? null : raw.getString("address");
    if (address == null || !address.matches(BOARD_ADDRESSES)) {
      event.complete(false);
      return;
    }
    Object headers = raw.getValue("headers");
    String token = headers instanceof JsonObject h && h.getValue("token") instanceof String t ? t : urlTokens.get(event.socket());
    access.allows(token, address.substring(Addresses.BOARD_PREFIX.length()))
      .onComplete(ar -> event.complete(ar.succeeded() && ar.result()));
  }

  private static String queryToken(String uri) {
    if (uri == null) {
      return null;
    }
    List<String> tokens = new QueryStringDecoder(uri).parameters().get("token");
    return tokens == null || tokens.isEmpty() ? null : tokens.get(0);
  }
}
