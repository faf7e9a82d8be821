package dev.hookyard.processors.matching;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

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

  @Test
  @DisplayName("Reads are shared: calls arriving while one runs wait for the one read after it, which starts after them")
  void readsAreShared() {
    WorkspaceIssues issues = new WorkspaceIssues(SemanticIndex.OVERLAP_MS, SemanticIndex.FULL_RELOAD_MS);
    List<Promise<IssueVectors>> reads = new ArrayList<>();
    Supplier<Future<IssueVectors>> read = () -> {
      Promise<IssueVectors> p = Promise.promise();
      reads.add(p);
      return p.future();
    };
    Future<IssueVectors> first = issues.nextRead(read);
    List<Future<IssueVectors>> waiting = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      waiting.add(issues.nextRead(read));
    }
    assertThat(reads).hasSize(1);
    reads.get(0).complete(IssueVectors.EMPTY);
    assertThat(first.succeeded()).isTrue();
    // The waiters did not take the read that was running when they came: one more, for all ten.
    assertThat(reads).hasSize(2);
    assertThat(waiting).noneMatch(Future::isComplete);
    reads.get(1).complete(IssueVectors.EMPTY);
    assertThat(waiting).allMatch(Future::succeeded);
    // Idle again: the next call reads at once.
    issues.nextRead(read);
    assertThat(reads).hasSize(3);
  }
}
