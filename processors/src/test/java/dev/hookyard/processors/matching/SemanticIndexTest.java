package dev.hookyard.processors.matching;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class SemanticIndexTest {

  private static MatchingFixture fx;

  @BeforeAll
  static void start() throws Exception {
    fx = MatchingFixture.start(Map.of());
  }

  @AfterAll
  static void stop() {
    fx.close();
  }

  @Test
  @DisplayName("The packed candidates are rebuilt for a new, re-embedded or finished issue, not for a move between open statuses")
  void rebuiltOnlyWhenCandidatesChange() throws Exception {
    long ws = fx.workspace("index", "IX");
    long crash = fx.embeddedIssue(ws, "IX-1", "App crashes on start", "Null pointer in the launcher", "Backlog");
    fx.embeddedIssue(ws, "IX-2", "Slow search results", "Search takes seconds", "Backlog");
    SemanticIndex index = new SemanticIndex(fx.pool);
    IssueVectors first = index.refresh(ws).await(10, TimeUnit.SECONDS);
    assertThat(first.size()).isEqualTo(2);

    fx.rows("UPDATE board_issues SET status = 'In Review', updated_at = now() WHERE id = $1", crash);
    assertThat(index.refresh(ws).await(10, TimeUnit.SECONDS)).as("a move between open statuses").isSameAs(first);

    fx.embeddedIssue(ws, "IX-3", "Checkout times out", "Large carts time out", "Backlog");
    IssueVectors third = index.refresh(ws).await(10, TimeUnit.SECONDS);
    assertThat(third).isNotSameAs(first);
    assertThat(third.size()).isEqualTo(3);

    fx.rows("UPDATE board_issues SET title = 'Launcher crashes on cold start', updated_at = now() WHERE id = $1", crash);
    fx.embed(crash);
    IssueVectors retitled = index.refresh(ws).await(10, TimeUnit.SECONDS);
    assertThat(retitled).isNotSameAs(third);
    float[] query = TextEmbedder.embedNow("launcher crash on cold start");
    assertThat(retitled.top(query, 1, 0, Set.of()).get(0).title()).isEqualTo("Launcher crashes on cold start");

    fx.rows("UPDATE board_issues SET status = 'Done', updated_at = now() WHERE id = $1", crash);
    IssueVectors done = index.refresh(ws).await(10, TimeUnit.SECONDS);
    assertThat(done.size()).isEqualTo(2);
    assertThat(done.top(query, 3, 0, Set.of())).extracting(IssueVectors.Scored::identifier).doesNotContain("IX-1");
  }
}
