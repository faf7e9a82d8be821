package dev.hookyard.app.send;

import dev.hookyard.common.webhook.GitHubSignature;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Semaphore;

/**
 * Signs and posts payloads the way GitHub does (raw bytes, {@code X-Hub-Signature-256},
 * a fresh {@code X-GitHub-Delivery} GUID per request), at most {@code concurrency} at once.
 */
final class DeliverySender {

  private final HttpClient client;
  private final URI target;
  private final String secret;
  private final int concurrency;
  private final Duration timeout;

  DeliverySender(URI target, String secret, int concurrency, Duration timeout) {
    // HTTP/1.1 as GitHub speaks it: the default would offer an h2c upgrade on every request.
    this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout).build();
    this.target = target;
    this.secret = secret;
    this.concurrency = concurrency;
    this.timeout = timeout;
  }

  /** Sends every payload {@code repeat} times and returns once every answer is counted. */
  void send(List<Payloads.Payload> payloads, int repeat, Tally tally) throws InterruptedException {
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
        HttpRequest request = HttpRequest.newBuilder(target)
          .timeout(timeout)
          .header("Content-Type", "application/json")
          .header("User-Agent", "hookyard-send")
          .header("X-GitHub-Event", payload.event())
          .header("X-GitHub-Delivery", UUID.randomUUID().toString())
          .header(GitHubSignature.HEADER, GitHubSignature.sign(secret, body))
          .POST(HttpRequest.BodyPublishers.ofByteArray(body))
          .build();
        client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).whenComplete((response, err) -> {
          if (err != null) {
            tally.failed(err);
          } else {
            tally.answered(response.statusCode(), response.body());
          }
          inFlight.release();
        });
      }
    }
    // Every permit back means every request has been answered or has failed.
    inFlight.acquire(concurrency);
  }
}
