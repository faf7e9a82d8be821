package dev.hookyard.gateway;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A hand-driven HTTP/1.1 connection, for what a client library will not do: send
 * headers and then nothing, or a body a few bytes at a time.
 */
final class RawHttp implements AutoCloseable {

  /** What came back: the status code, the raw answer, and whether the server closed the connection. */
  record Answer(int status, String text, boolean closed) {
    String header(String name) {
      for (String line : text.split("\r\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }
  }

  private final Socket socket;
  private final OutputStream out;
  private final InputStream in;

  RawHttp(int port) throws IOException {
    socket = new Socket();
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    socket.setTcpNoDelay(true);
    out = socket.getOutputStream();
    in = socket.getInputStream();
  }

  /** Sends a request line and headers (and the blank line); the body is up to the caller. */
  RawHttp head(String path, String... headers) throws IOException {
    StringBuilder sb = new StringBuilder("POST ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (String h : headers) {
      sb.append(h).append("\r\n");
    }
    out.write(sb.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return this;
  }

  RawHttp send(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
    return this;
  }

  /** One chunk of a chunked body. */
  RawHttp chunk(byte[] bytes) throws IOException {
    out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(bytes);
    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return this;
  }

  /**
   * Reads until the server closes the connection or {@code waitMs} pass without a byte;
   * the answer's status is -1 when none came.
   */
  Answer answer(long waitMs) throws IOException {
    socket.setSoTimeout((int) waitMs);
    ByteArrayOutputStream got = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    boolean closed = false;
    try {
      int n;
      while ((n = in.read(buf)) >= 0) {
        got.write(buf, 0, n);
      }
      closed = true;
    } catch (SocketTimeoutException e) {
      closed = false;
    } catch (IOException e) {
      // A reset after the answer is also a closed connection.
      closed = true;
    }
    String text = got.toString(StandardCharsets.ISO_8859_1);
    int status = text.startsWith("HTTP/1.1 ") && text.length() >= 12 ? Integer.parseInt(text.substring(9, 12)) : -1;
    return new Answer(status, text, closed);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
