package dev.hookyard.common.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetSocket;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback TCP proxy that a test can cut and restore, to see what hookyard does
 * while its database is unreachable. Cut: open connections are closed and new ones
 * are closed on arrival.
 */
public final class TcpProxy {

  private final Vertx vertx;
  private final String targetHost;
  private final int targetPort;
  private final Set<NetSocket> sockets = ConcurrentHashMap.newKeySet();
  private volatile boolean cut;
  private volatile boolean held;
  private NetServer server;
  private NetClient client;

  public TcpProxy(Vertx vertx, String targetHost, int targetPort) {
    this.vertx = vertx;
    this.targetHost = targetHost;
    this.targetPort = targetPort;
  }

  public Future<Integer> start() {
    client = vertx.createNetClient();
    server = vertx.createNetServer().connectHandler(this::accept);
    return server.listen(0, "127.0.0.1").map(NetServer::actualPort);
  }

  private void accept(NetSocket in) {
    if (cut) {
      in.close();
      return;
    }
    in.pause();
    client.connect(targetPort, targetHost).onComplete(ar -> {
      if (ar.failed() || cut) {
        in.close();
        if (ar.succeeded()) {
          ar.result().close();
        }
        return;
      }
      NetSocket out = ar.result();
      sockets.add(in);
      sockets.add(out);
      in.handler(out::write);
      out.handler(in::write);
      if (held) {
        in.pause();
        out.pause();
      }
      in.closeHandler(v -> { sockets.remove(in); out.close(); });
      out.closeHandler(v -> { sockets.remove(out); in.close(); });
      in.resume();
    });
  }

  /** Drops every connection and refuses new ones. */
  public void cut() {
    cut = true;
    sockets.forEach(NetSocket::close);
  }

  public void restore() {
    cut = false;
  }

  /** Stops forwarding (connections stay open, bytes wait), as a stalled database would. */
  public void hold() {
    held = true;
    sockets.forEach(NetSocket::pause);
  }

  /** Forwards what waited and everything after. */
  public void release() {
    held = false;
    sockets.forEach(NetSocket::resume);
  }

  public Future<Void> close() {
    cut();
    return server.close().eventually(() -> client.close());
  }
}
