package dev.hookyard.gateway.ingest;

import dev.hookyard.common.db.Database;
import dev.hookyard.common.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

@ExtendWith(VertxExtension.class)
class DeliveryStoreTest {

  private static DeliveryStore.Incoming delivery(String id, Buffer body) {
    return new DeliveryStore.Incoming(id, "push", null, null, "application/json", "sha256=00", body, null);
  }

  /** Calls the store on one event loop, as its verticle does. */
  private static <T> T onEventLoop(Vertx vertx, Supplier<T> calls) throws Exception {
    Promise<T> made = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> made.complete(calls.get()));
    return made.future().await(10, TimeUnit.SECONDS);
  }

  @Test
  @Timeout(60)
  @DisplayName("A batch whose writing throws is failed and gives its slot back: the next delivery is stored")
  void thrownWriteDoesNotJam(Vertx vertx) throws Exception {
    Pool pool = Database.createPool(vertx, TestDatabase.fresh(), 2);
    DeliveryStore store = new DeliveryStore(vertx, pool, 16, 1, 5_000, 100);
    // No body to compress: writing this one throws before any statement is sent.
    Future<DeliveryStore.Result> broken = onEventLoop(vertx, () -> store.store(delivery("broken", null)));
    assertThat(broken.failed()).isTrue();
    Future<DeliveryStore.Result> next = onEventLoop(vertx, () -> store.store(delivery("next", Buffer.buffer("{}"))));
    assertThat(next.await(10, TimeUnit.SECONDS)).isEqualTo(DeliveryStore.Result.STORED);
  }

  @Test
  @Timeout(60)
  @DisplayName("Beyond the waiting bound a delivery is refused at once; those already waiting are stored")
  void waitingIsBounded(Vertx vertx) throws Exception {
    Pool pool = Database.createPool(vertx, TestDatabase.fresh(), 2);
    DeliveryStore store = new DeliveryStore(vertx, pool, 16, 1, 5_000, 2);
    // One batch in flight, two waiting for the next, then no room.
    List<Future<DeliveryStore.Result>> answers = onEventLoop(vertx, () -> {
      List<Future<DeliveryStore.Result>> all = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        all.add(store.store(delivery("bounded-" + i, Buffer.buffer("{}"))));
      }
      return all;
    });
    assertThat(answers.get(3).failed()).isTrue();
    assertThat(answers.get(3).cause()).isInstanceOf(DeliveryStore.Overloaded.class);
    assertThat(answers.get(4).cause()).isInstanceOf(DeliveryStore.Overloaded.class);
    for (int i = 0; i < 3; i++) {
      assertThat(answers.get(i).await(10, TimeUnit.SECONDS)).isEqualTo(DeliveryStore.Result.STORED);
    }
  }
}
