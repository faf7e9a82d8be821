package dev.hookyard.app.send;

import dev.hookyard.common.webhook.GitHubSignature;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Signs and posts payloads the way GitHub does (raw bytes, {@code X-Hub-Signature-256},
 * a fresh {@code X-GitHub-Delivery} GUID per request), at most {@code concurrency} at once
 * over as many kept-alive connections.
 */
final class DeliverySender implements AutoCloseable {

  private final Vertx vertx;
  private final WebClient client;
  private final URI target;
  private final String secret;
  private final int concurrency;
  private final Duration timeout;

  DeliverySender(URI target, String secret, int concurrency, Duration timeout) {
    this.target = target;
    this.secret = secret;
    this.concurrency = concurrency;
    this.timeout = timeout;
    this.vertx = Vertx.vertx();
    boolean tls = "https".equals(target.getScheme());
    // HTTP/1.1 as GitHub speaks it; one connection per request in flight.
    this.client = WebClient.create(vertx, new WebClientOptions()
      .setProtocolVersion(HttpVersion.HTTP_1_1)
      .setSsl(tls)
      .setDefaultHost(target.getHost())
      .setDefaultPort(target.getPort() > 0 ? target.getPort() : tls ? 443 : 80)
      .setConnectTimeout((int) timeout.toMillis())
      .setUserAgent("hookyard-send"), new PoolOptions().setHttp1MaxSize(concurrency));
  }

  /** Sends every payload {@code repeat} times and returns once every answer is counted. */
  void send(List<Payloads.Payload> payloads, int repeat, Tally tally) throws InterruptedException {
    String uri = target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery());
    Semaphore inFlight = new Semaphore(concurrency);
    for (int round = 0; round < repeat; round++) {
      for (Payloads.Payload payload : payloads) {
        inFlight.acquire();
        byte[] body;
        try {
          body = Files.readAllBytes(payload.file());
        } catch (IOException e) {
          inFlight.release();
          throw new UncheckedIOException("cannot read " + payload.file(), e);
        }
        client.post(uri)
          .timeout(timeout.toMillis())
          .putHeader("Content-Type", "application/json")
          .putHeader("X-GitHub-Event", payload.event())
          .putHeader("X-GitHub-Delivery", UUID.randomUUID().toString())
          .putHeader(GitHubSignature.HEADER, GitHubSignature.sign(secret, body))
          .sendBuffer(Buffer.buffer(body))
          .onComplete(ar -> {
            if (ar.succeeded()) {
              tally.answered(ar.result().statusCode(), ar.result().bodyAsString());
            } else {
              tally.failed(ar.cause());
            }
            inFlight.release();
          });
      }
    }
    // Every permit back means every request has been answered or has failed.
    inFlight.acquire(concurrency);
  }

  @Override
  public void close() {
    client.close();
    try {
      vertx.close().await(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Nothing is left in flight; a slow close only delays the exit.
    }
  }
}
