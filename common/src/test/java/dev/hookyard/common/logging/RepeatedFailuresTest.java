package dev.hookyard.common.logging;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.hookyard.common.testing.MutableClock;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.pgclient.PgException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RepeatedFailuresTest {

  private static final PgException DISK_FULL = new PgException(
    "could not extend file \"base/16384/16397\": No space left on device", "ERROR", "53100", "Check free disk space.");

  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
  private Logger logger;
  private RepeatedFailures refusals;

  @BeforeEach
  void capture() {
    logger = (Logger) LoggerFactory.getLogger("test.repeated." + System.nanoTime());
    lines.start();
    logger.addAppender(lines);
    refusals = new RepeatedFailures(logger, Level.WARN, "deliveries refused", clock, () -> Duration.ofSeconds(10), null);
  }

  @AfterEach
  void release() {
    logger.detachAppender(lines);
  }

  private void refuse(FailureCause cause, String id) {
    refusals.record(cause, id, () -> "Delivery " + id + " (push) refused: " + cause.text());
  }

  @Test
  @DisplayName("A cause repeated 2,315 times in ten seconds writes its first occurrence at once and one summary line with the count and an example")
  void firstAtOnceThenOneLinePerInterval() {
    FailureCause full = FailureCause.ofDatabase(DISK_FULL);
    refuse(full, "3f86a0");
    assertThat(lines.list).hasSize(1);
    ILoggingEvent first = lines.list.get(0);
    assertThat(first.getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
    assertThat(first.getFormattedMessage()).startsWith("Delivery 3f86a0 (push) refused: the database's disk is full "
      + "(could not extend file \"base/16384/16397\": No space left on device)")
      .endsWith("more deliveries refused for this cause are counted and logged every 10 s");
    assertThat(first.getMDCPropertyMap()).containsEntry("reason", "disk_full");

    for (int i = 0; i < 2_314; i++) {
      clock.advance(Duration.ofMillis(4));
      refuse(full, "d-" + i);
    }
    refusals.flush();
    assertThat(lines.list).as("nothing more before the interval is over").hasSize(1);

    clock.set(Instant.parse("2026-12-01T10:00:10Z"));
    refusals.flush();
    assertThat(lines.list).hasSize(2);
    ILoggingEvent summary = lines.list.get(1);
    assertThat(summary.getFormattedMessage()).isEqualTo("2,314 deliveries refused in the last 10 s: the database's disk is full "
      + "(could not extend file \"base/16384/16397\": No space left on device), e.g. d-0");
    assertThat(summary.getMDCPropertyMap()).containsEntry("reason", "disk_full").containsEntry("count", "2314")
      .containsEntry("example", "d-0");
    refusals.flush();
    assertThat(lines.list).as("one line per interval").hasSize(2);
  }

  @Test
  @DisplayName("Occurrences that differ only by ids are one cause; different causes are counted apart")
  void causesByKey() {
    refuse(FailureCause.ofDatabase(DISK_FULL), "a");
    refuse(FailureCause.ofDatabase(new PgException("could not extend file \"base/16384/16420\": No space left on device",
      "ERROR", "53100", null)), "b");
    refuse(FailureCause.ofDatabase(new java.util.concurrent.TimeoutException("The timeout period of 5000ms has been exceeded")), "c");
    refuse(FailureCause.of(new IllegalStateException("job 123456 has no payload")), "d");
    refuse(FailureCause.of(new IllegalStateException("job 987654 has no payload")), "e");
    refuse(FailureCause.of(new ReplyException(ReplyFailure.NO_HANDLERS, "No handlers for address matching.request")), "f");
    assertThat(lines.list).extracting(e -> e.getMDCPropertyMap().get("reason"))
      .containsExactly("disk_full", "database_timeout", "error", "event_bus_no_handlers");

    clock.advance(Duration.ofSeconds(10));
    refusals.flush();
    assertThat(lines.list.subList(4, lines.list.size())).extracting(ILoggingEvent::getFormattedMessage).containsExactlyInAnyOrder(
      "One more of the deliveries refused in the last 10 s: the database's disk is full (could not extend file "
        + "\"base/16384/16420\": No space left on device): b",
      "One more of the deliveries refused in the last 10 s: job 987654 has no payload: e");
  }

  @Test
  @DisplayName("A cause is ongoing while it recurs; an interval without it ends it with one line, and its next occurrence is logged at once again")
  void endAndRecurrence() {
    FailureCause full = FailureCause.ofDatabase(DISK_FULL);
    refuse(full, "a");
    clock.advance(Duration.ofSeconds(3));
    refuse(full, "b");
    assertThat(refusals.ongoing()).singleElement().satisfies(o -> {
      assertThat(o.cause().reason()).isEqualTo("disk_full");
      assertThat(o.count()).isEqualTo(2);
      assertThat(o.since()).isEqualTo(Instant.parse("2026-12-01T10:00:00Z"));
    });

    clock.advance(Duration.ofSeconds(7));
    refusals.flush(); // the summary of the first interval
    clock.advance(Duration.ofSeconds(10));
    assertThat(refusals.ongoing()).as("no occurrence for one interval").isEmpty();
    refusals.flush();
    assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
      lines.list.get(0).getFormattedMessage(),
      "One more of the deliveries refused in the last 10 s: the database's disk is full (could not extend file "
        + "\"base/16384/16397\": No space left on device): b",
      "No more deliveries refused in the last 17 s for this cause: the database's disk is full (could not extend file "
        + "\"base/16384/16397\": No space left on device) (2 in 3 s in all)");
    assertThat(lines.list.get(2).getLevel()).isEqualTo(ch.qos.logback.classic.Level.INFO);

    refuse(full, "c");
    assertThat(lines.list).hasSize(4);
    assertThat(lines.list.get(3).getFormattedMessage()).startsWith("Delivery c (push) refused");
  }

  @Test
  @DisplayName("However many distinct causes occur, the lines per interval stay bounded")
  void boundedCauses() {
    for (int i = 0; i < 10_000; i++) {
      refuse(FailureCause.keyed(FailureCause.ERROR, "failure number " + i), "id-" + i);
    }
    assertThat(lines.list).hasSizeLessThanOrEqualTo(RepeatedFailures.MAX_CAUSES + 1);
    int before = lines.list.size();
    clock.advance(Duration.ofSeconds(10));
    refusals.flush();
    assertThat(lines.list.size() - before).isLessThanOrEqualTo(RepeatedFailures.MAX_CAUSES + 1);
  }

  @Test
  @DisplayName("Counts are written with thousands separators and intervals in seconds")
  void formats() {
    assertThat(RepeatedFailures.count(2314)).isEqualTo("2,314");
    assertThat(RepeatedFailures.seconds(Duration.ofMillis(10_040))).isEqualTo("10 s");
    assertThat(RepeatedFailures.seconds(Duration.ofMillis(1_500))).isEqualTo("1.5 s");
  }
}
