package dev.hookyard.processors.matching;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What one node knows of one workspace's issues: every issue (so its count can be
 * checked against the database's), the newest {@code updated_at} seen, and a packed
 * {@link IssueVectors} of the candidates, rebuilt only after something changed.
 * Shared by every matching instance, hence synchronised; each call is short.
 */
final class WorkspaceIssues {

  static final OffsetDateTime BEGINNING = OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

  /** One issue; {@code vectorMd5} fingerprints the stored embedding its {@code vector} was read from. */
  private record Entry(String identifier, String title, float[] vector, String vectorMd5, OffsetDateTime updatedAt) {

    boolean sameCandidate(Entry other) {
      return Arrays.equals(vector, other.vector) && Objects.equals(identifier, other.identifier)
        && Objects.equals(title, other.title);
    }
  }

  /**
   * What one read found: whether the count agreed, and the issues whose vectors must be
   * fetched (new, or re-embedded since they were read).
   */
  record Read(boolean consistent, List<Long> missingVectors) {
  }

  private final long overlapMs;
  private final long fullReloadMs;
  private Map<Long, Entry> entries = new HashMap<>();
  private OffsetDateTime newest;
  private long loadedAtMs;
  private boolean fullDue = true;
  private IssueVectors vectors = IssueVectors.EMPTY;
  private boolean changed;

  private boolean reading;
  private Promise<IssueVectors> waitingForNext;

  WorkspaceIssues(long overlapMs, long fullReloadMs) {
    this.overlapMs = overlapMs;
    this.fullReloadMs = fullReloadMs;
  }

  /**
   * Where the next read starts: a little before the newest change seen, because rows
   * committed later can carry the same or a slightly older {@code updated_at} (it is the
   * writing transaction's start time). Everything, now and then, to forget deleted
   * issues and anything a long transaction hid from the overlap.
   */
  synchronized OffsetDateTime since(long nowMs) {
    if (fullDue || newest == null || nowMs - loadedAtMs >= fullReloadMs) {
      fullDue = true;
      return BEGINNING;
    }
    return newest.minusNanos(overlapMs * 1_000_000);
  }

  /**
   * Applies one read of changed rows (without their vectors: a fingerprint tells
   * whether the vector known here is still the stored one). Not consistent when the
   * workspace's issue count disagrees with what is known afterwards: something was
   * deleted or missed, and the next read is a full one.
   */
  synchronized Read apply(RowSet<Row> rows, OffsetDateTime since, long nowMs) {
    boolean full = since.equals(BEGINNING);
    Map<Long, Entry> next = full ? new HashMap<>() : entries;
    List<Long> missing = new ArrayList<>();
    long total = 0;
    for (Row r : rows) {
      total = r.getLong("issues");
      Long id = r.getLong("id");
      if (id == null) {
        continue;
      }
      OffsetDateTime updatedAt = r.getOffsetDateTime("updated_at");
      Entry known = entries.get(id);
      // Seen already (the overlap re-reads), or another instance applied a newer read.
      if (known != null && !known.updatedAt().isBefore(updatedAt)) {
        next.put(id, known);
        continue;
      }
      String md5 = r.getString("vector_md5");
      float[] vector = null;
      if (md5 != null && known != null && md5.equals(known.vectorMd5())) {
        vector = known.vector();
      } else if (md5 != null) {
        missing.add(id);
      }
      Entry entry = new Entry(r.getString("identifier"), r.getString("title"), vector, vector == null ? null : md5, updatedAt);
      next.put(id, entry);
      // Most changes (a move between open statuses, a new label) leave the candidates
      // as they were: only a new, removed or re-embedded one rebuilds the packed copy.
      changed |= known == null || !known.sameCandidate(entry);
      if (newest == null || updatedAt.isAfter(newest)) {
        newest = updatedAt;
      }
    }
    if (full) {
      changed = changed || !next.keySet().equals(entries.keySet());
      entries = next;
      loadedAtMs = nowMs;
      fullDue = false;
    }
    if (entries.size() != total) {
      fullDue = true;
      return new Read(full, missing);
    }
    return new Read(true, missing);
  }

  /** Vectors fetched for {@link Read#missingVectors()}: rows of {@code id, embedding, vector_md5}. */
  synchronized void fill(RowSet<Row> rows) {
    for (Row r : rows) {
      Long id = r.getLong("id");
      Entry known = entries.get(id);
      float[] vector = Vectors.decode(r.getBuffer("embedding"));
      if (known != null && known.vector() == null && vector != null) {
        entries.put(id, new Entry(known.identifier(), known.title(), vector, r.getString("vector_md5"), known.updatedAt()));
        changed = true;
      }
    }
  }

  /** Vectors that could not be fetched: the issues are dropped, and the next read is a full one. */
  synchronized void forget(List<Long> ids) {
    ids.forEach(entries::remove);
    changed = true;
    fullDue = true;
  }

  /**
   * A read that starts after this call: {@code read} at once when none runs, else the
   * one that follows the running one, shared by every caller that waits for it.
   */
  synchronized Future<IssueVectors> nextRead(Supplier<Future<IssueVectors>> read) {
    if (!reading) {
      reading = true;
      return start(read);
    }
    if (waitingForNext == null) {
      waitingForNext = Promise.promise();
    }
    return waitingForNext.future();
  }

  private Future<IssueVectors> start(Supplier<Future<IssueVectors>> read) {
    Future<IssueVectors> running;
    try {
      running = read.get();
    } catch (RuntimeException e) {
      running = Future.failedFuture(e);
    }
    return running.andThen(done -> {
      Promise<IssueVectors> next;
      synchronized (this) {
        next = waitingForNext;
        waitingForNext = null;
        reading = next != null;
      }
      if (next != null) {
        start(read).onComplete(next);
      }
    });
  }

  /** The candidates as of the last read. */
  synchronized IssueVectors vectors() {
    if (changed) {
      vectors = new IssueVectors(entries.entrySet().stream()
        .filter(e -> e.getValue().vector() != null)
        .map(e -> new IssueVectors.Issue(e.getKey(), e.getValue().identifier(), e.getValue().title(), e.getValue().vector()))
        .toList());
      changed = false;
    }
    return vectors;
  }
}
