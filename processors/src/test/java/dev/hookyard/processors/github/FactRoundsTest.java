package dev.hookyard.processors.github;

import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.OffsetDateTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FactRoundsTest {

  private record Fact(long key, boolean reprocess) {
  }

  @Test
  @DisplayName("Facts of one row go to successive rounds in claim order; each round is sorted by key and split by what sets facts apart")
  void rounds() {
    List<Fact> facts = List.of(new Fact(5, false), new Fact(3, false), new Fact(5, false), new Fact(3, false),
      new Fact(5, false), new Fact(9, false), new Fact(7, true));
    List<List<Integer>> rounds = FactRounds.rounds(facts, Fact::key, Fact::reprocess);
    assertThat(rounds).hasSize(4);
    assertThat(rounds.get(0)).containsExactly(1, 0, 5);
    assertThat(rounds.get(1)).containsExactly(6);
    assertThat(rounds.get(2)).containsExactly(3, 2);
    assertThat(rounds.get(3)).containsExactly(4);
  }

  @Test
  @DisplayName("Rows become one typed array per column, followed by the fixed values")
  void columns() {
    OffsetDateTime at = OffsetDateTime.parse("2026-11-10T10:00:00Z");
    Tuple columns = FactRounds.columns(List.of(Tuple.of(1L, "a", at), Tuple.of(2L, null, null)),
      new Class<?>[] {Long.class, String.class, OffsetDateTime.class}, true);
    assertThat((Long[]) columns.getValue(0)).containsExactly(1L, 2L);
    assertThat((String[]) columns.getValue(1)).containsExactly("a", null);
    assertThat((OffsetDateTime[]) columns.getValue(2)).containsExactly(at, null);
    assertThat(columns.getValue(3)).isEqualTo(true);
  }
}
