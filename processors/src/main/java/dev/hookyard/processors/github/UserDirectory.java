package dev.hookyard.processors.github;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.hookyard.common.Addresses;
import dev.hookyard.common.metrics.HookyardMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Maps GitHub accounts to internal users: by GitHub id, else login, else email.
 * Answers, including "no such user", are cached for a TTL; a {@code users.changed}
 * message from any node clears the cache, so a new user is seen at once everywhere.
 */
final class UserDirectory {

  /** A GitHub account as a payload names it; any part may be missing. */
  record Person(Long githubId, String login, String email) {

    List<String> keys() {
      List<String> keys = new ArrayList<>(3);
      if (githubId != null) {
        keys.add("id:" + githubId);
      }
      if (login != null && !login.isBlank()) {
        keys.add("login:" + login.toLowerCase(Locale.ROOT));
      }
      if (email != null && !email.isBlank()) {
        keys.add("email:" + email.toLowerCase(Locale.ROOT));
      }
      return keys;
    }
  }

  private static final Long NOBODY = -1L;

  private final Pool pool;
  private final Cache<String, Long> cache;

  UserDirectory(Pool pool, Duration ttl) {
    this.pool = pool;
    this.cache = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(200_000).build();
  }

  /** Clears the cache whenever any node says users changed. */
  Future<Void> listen(Vertx vertx) {
    return vertx.eventBus().consumer(Addresses.USERS_CHANGED, m -> cache.invalidateAll()).completion();
  }

  /** The internal user of each person that has one. */
  Future<Map<Person, Long>> resolve(Collection<Person> people) {
    Map<String, Long> known = new HashMap<>();
    Set<String> missing = new LinkedHashSet<>();
    for (Person p : people) {
      if (p == null) {
        continue;
      }
      for (String key : p.keys()) {
        if (known.containsKey(key) || missing.contains(key)) {
          continue;
        }
        Long cached = cache.getIfPresent(key);
        if (cached != null) {
          HookyardMetrics.userCache(true);
          known.put(key, cached);
        } else {
          HookyardMetrics.userCache(false);
          missing.add(key);
        }
      }
    }
    Future<Map<String, Long>> loaded = missing.isEmpty() ? Future.succeededFuture(Map.of()) : load(missing);
    return loaded.map(found -> {
      for (String key : missing) {
        Long id = found.getOrDefault(key, NOBODY);
        cache.put(key, id);
        known.put(key, id);
      }
      Map<Person, Long> out = new HashMap<>();
      for (Person p : people) {
        if (p == null) {
          continue;
        }
        for (String key : p.keys()) {
          Long id = known.get(key);
          if (id != null && !id.equals(NOBODY)) {
            out.put(p, id);
            break;
          }
        }
      }
      return out;
    });
  }

  private Future<Map<String, Long>> load(Set<String> keys) {
    List<Long> ids = new ArrayList<>();
    List<String> logins = new ArrayList<>();
    List<String> emails = new ArrayList<>();
    for (String k : keys) {
      if (k.startsWith("id:")) {
        ids.add(Long.parseLong(k.substring(3)));
      } else if (k.startsWith("login:")) {
        logins.add(k.substring(6));
      } else {
        emails.add(k.substring(6));
      }
    }
    return pool.preparedQuery(RepositoryQueries.USERS)
      .execute(Tuple.of(ids.toArray(new Long[0]), logins.toArray(new String[0]), emails.toArray(new String[0])))
      .map(rows -> {
        Map<String, Long> found = new HashMap<>();
        for (Row r : rows) {
          found.put(r.getString("k"), r.getLong("id"));
        }
        return found;
      });
  }
}
