package dev.hookyard.processors.github;

import dev.hookyard.common.Addresses;
import dev.hookyard.common.metrics.HookyardMetrics;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class UserDirectoryTest {

  private static ProcessorsFixture fx;

  @BeforeAll
  static void start() throws Exception {
    fx = ProcessorsFixture.start(Map.of());
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  private static double lookups(String result) {
    var c = HookyardMetrics.registry().find("hookyard.user.cache.requests").tag("result", result).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  @DisplayName("Mappings are cached, counted as hits and misses, and a users.changed message makes a new user visible at once")
  void cacheAndInvalidation() throws Exception {
    UserDirectory users = new UserDirectory(fx.pool, Duration.ofHours(1));
    users.listen(fx.vertx).await(10, TimeUnit.SECONDS);
    UserDirectory.Person grace = new UserDirectory.Person(6006L, "grace", null);

    double missesBefore = lookups("miss");
    assertThat(users.resolve(List.of(grace)).await(10, TimeUnit.SECONDS)).isEmpty();
    assertThat(lookups("miss") - missesBefore).isEqualTo(2);

    long id = fx.user("grace", "grace@acme.test", 6006L);
    double hitsBefore = lookups("hit");
    // Cached as "no such user" until told otherwise.
    assertThat(users.resolve(List.of(grace)).await(10, TimeUnit.SECONDS)).isEmpty();
    assertThat(lookups("hit") - hitsBefore).isEqualTo(2);

    fx.vertx.eventBus().publish(Addresses.USERS_CHANGED, new JsonObject().put("type", "users.changed").put("user_id", id));
    long deadline = System.currentTimeMillis() + 10_000;
    Map<UserDirectory.Person, Long> found;
    do {
      found = users.resolve(List.of(grace)).await(10, TimeUnit.SECONDS);
    } while (found.isEmpty() && System.currentTimeMillis() < deadline);
    assertThat(found).containsEntry(grace, id);
  }
}
