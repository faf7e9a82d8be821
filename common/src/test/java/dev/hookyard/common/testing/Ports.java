package dev.hookyard.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Ports for servers a test starts. They come from below the kernel's ephemeral range
 * (32768–60999 on Linux), where a port the test picked and has not bound yet could be
 * taken meanwhile by any outgoing connection: a database or cluster client the process
 * under test opens before its HTTP server binds. A port is handed out once per JVM, and
 * only if nothing listens on it at the moment of asking.
 */
public final class Ports {

  private static final int FIRST = 20_000;
  private static final int COUNT = 12_000;
  private static final AtomicInteger next = new AtomicInteger(ThreadLocalRandom.current().nextInt(COUNT));

  /** A TCP port nothing listens on at the moment of asking, outside the ephemeral range. */
  public static int freePort() {
    for (int i = 0; i < COUNT; i++) {
      int port = FIRST + Math.floorMod(next.getAndIncrement(), COUNT);
      if (bindable(port)) {
        return port;
      }
    }
    throw new UncheckedIOException(new IOException("no free port in " + FIRST + "–" + (FIRST + COUNT - 1)));
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private Ports() {
  }
}
