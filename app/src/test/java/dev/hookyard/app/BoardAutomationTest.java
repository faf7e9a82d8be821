package dev.hookyard.app;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static dev.hookyard.app.BoardScenario.pullRequest;
import static org.assertj.core.api.Assertions.assertThat;

/** Board automation, rule by rule, from signed pull_request webhooks to what the issues API shows. */
class BoardAutomationTest {

  private static BoardScenario board;

  @BeforeAll
  static void start() throws Exception {
    board = BoardScenario.start(Map.of());
  }

  @AfterAll
  static void stop() {
    board.close();
  }

  @Test
  @DisplayName("'Fixes ACME-n' in an opened PR links it and moves the issue to In Review; the merge moves it to Done, each with its cause")
  void openedThenMerged() throws Exception {
    String id = board.issue("Login fails for SSO users", null, "In Progress");
    String opened = board.send(pullRequest("opened", 101, "Handle SSO redirect", "Fixes " + id + ".", "fix/sso", "main",
      "open", false, "2026-11-03T10:00:00Z"));
    JsonObject issue = board.get(id);
    assertThat(issue.getString("status")).isEqualTo("In Review");
    JsonObject pr = issue.getJsonArray("prs").getJsonObject(0);
    assertThat(pr.getInteger("number")).isEqualTo(101);
    assertThat(pr.getString("status")).isEqualTo("open");
    assertThat(pr.getString("match_layer")).isEqualTo("explicit");
    assertThat(pr.getInteger("match_confidence")).isEqualTo(100);
    JsonObject move = board.history(id, "issue.status_changed").getJsonObject(0);
    assertThat(move.getString("from")).isEqualTo("In Progress");
    assertThat(move.getString("to")).isEqualTo("In Review");
    assertThat(move.getInteger("pr_number")).isEqualTo(101);
    assertThat(move.getJsonObject("cause").getString("delivery_id")).isEqualTo(opened);
    assertThat(move.getJsonObject("cause").getString("layer")).isEqualTo("explicit");
    assertThat(move.getJsonObject("cause").getInteger("confidence")).isEqualTo(100);
    assertThat(board.history(id, "issue.pr_linked")).hasSize(1);

    board.send(pullRequest("closed", 101, "Handle SSO redirect", "Fixes " + id + ".", "fix/sso", "main",
      "closed", true, "2026-11-04T10:00:00Z"));
    issue = board.get(id);
    assertThat(issue.getString("status")).isEqualTo("Done");
    assertThat(issue.getJsonArray("prs").getJsonObject(0).getString("status")).isEqualTo("merged");
    assertThat(issue.getJsonArray("prs").getJsonObject(0).getString("merged_sha")).isNotNull();
    assertThat(board.history(id, "issue.status_changed")).extracting(h -> ((JsonObject) h).getString("to"))
      .containsExactly("In Review", "Done");
  }

  @Test
  @DisplayName("Nothing moves backwards: a Done issue only gets linked by a later PR")
  void neverBackwards() throws Exception {
    String id = board.issue("Typo in footer", null, "Done");
    board.send(pullRequest("opened", 102, "Footer again", "Closes " + id, "fix/footer", "main", "open", false, "2026-11-03T10:00:00Z"));
    JsonObject issue = board.get(id);
    assertThat(issue.getString("status")).isEqualTo("Done");
    assertThat(issue.getJsonArray("prs")).hasSize(1);
    assertThat(board.history(id, "issue.status_changed")).isEmpty();
  }

  @Test
  @DisplayName("Closed unmerged marks the link closed and leaves the status; reopened makes the link open again")
  void closedAndReopened() throws Exception {
    String id = board.issue("Crash on empty cart", null, null);
    board.send(pullRequest("opened", 103, id + ": guard empty cart", null, "cart", "main", "open", false, "2026-11-03T10:00:00Z"));
    assertThat(board.status(id)).isEqualTo("In Review");
    board.send(pullRequest("closed", 103, id + ": guard empty cart", null, "cart", "main", "closed", false, "2026-11-03T11:00:00Z"));
    JsonObject issue = board.get(id);
    assertThat(issue.getString("status")).isEqualTo("In Review");
    assertThat(issue.getJsonArray("prs").getJsonObject(0).getString("status")).isEqualTo("closed");
    board.send(pullRequest("reopened", 103, id + ": guard empty cart", null, "cart", "main", "open", false, "2026-11-03T12:00:00Z"));
    assertThat(board.get(id).getJsonArray("prs").getJsonObject(0).getString("status")).isEqualTo("open");
    assertThat(board.history(id, "issue.pr_link_changed")).extracting(h -> ((JsonObject) h).getString("to"))
      .containsExactly("closed", "open");
  }

  @Test
  @DisplayName("Edited: a PR without a link is matched again; a linked PR's edit only updates the link's title")
  void edited() throws Exception {
    String id = board.issue("Export to CSV drops rows", null, null);
    board.send(pullRequest("opened", 104, "Export fixes", "WIP", "export", "main", "open", false, "2026-11-03T10:00:00Z"));
    assertThat(board.get(id).getJsonArray("prs")).isEmpty();
    board.send(pullRequest("edited", 104, "Export fixes", "Resolves " + id, "export", "main", "open", false, "2026-11-03T10:05:00Z"));
    JsonObject issue = board.get(id);
    assertThat(issue.getJsonArray("prs")).hasSize(1);
    assertThat(issue.getString("status")).isEqualTo("In Review");
    board.send(pullRequest("edited", 104, "Export: keep every row", "Resolves " + id, "export", "main", "open", false,
      "2026-11-03T10:10:00Z"));
    issue = board.get(id);
    assertThat(issue.getJsonArray("prs").getJsonObject(0).getString("title")).isEqualTo("Export: keep every row");
    assertThat(issue.getJsonArray("prs")).hasSize(1);
    assertThat(board.history(id, "issue.pr_linked")).hasSize(1);
  }

  @Test
  @DisplayName("'Part of' and 'refs' link without moving, even on merge; an identifier in the title or branch (any case) closes")
  void wordsDecideStrength() throws Exception {
    String part = board.issue("Billing rewrite", null, "In Progress");
    String refd = board.issue("Billing audit log", null, null);
    board.send(pullRequest("opened", 105, "Split billing module", "Part of " + part + ", refs " + refd, "billing-split", "main",
      "open", false, "2026-11-03T10:00:00Z"));
    board.send(pullRequest("closed", 105, "Split billing module", "Part of " + part + ", refs " + refd, "billing-split", "main",
      "closed", true, "2026-11-03T11:00:00Z"));
    assertThat(board.status(part)).isEqualTo("In Progress");
    assertThat(board.status(refd)).isEqualTo("Backlog");
    assertThat(board.get(part).getJsonArray("prs").getJsonObject(0).getString("strength")).isEqualTo("refs");
    assertThat(board.get(part).getJsonArray("prs").getJsonObject(0).getString("status")).isEqualTo("merged");

    String branch = board.issue("Avatar upload fails", null, null);
    board.send(pullRequest("opened", 106, "Uploads", null, "feature/" + branch.toLowerCase() + "-upload", "main", "open", false,
      "2026-11-03T10:00:00Z"));
    assertThat(board.status(branch)).isEqualTo("In Review");
    assertThat(board.get(branch).getJsonArray("prs").getJsonObject(0).getString("strength")).isEqualTo("closes");
  }

  @Test
  @DisplayName("Out of order and duplicate events change nothing twice: a late 'opened' after the merge and a redelivery leave one move each")
  void outOfOrderAndDuplicates() throws Exception {
    String id = board.issue("Dark mode flicker", null, null);
    JsonObject merged = pullRequest("closed", 107, "Fix " + id, null, "dark", "main", "closed", true, "2026-11-05T10:00:00Z");
    String guid = board.send(merged);
    board.send(merged, guid);                 // the same delivery again: a duplicate
    board.send(merged);                       // the same event under a new delivery id
    board.send(pullRequest("opened", 107, "Fix " + id, null, "dark", "main", "open", false, "2026-11-05T09:00:00Z"));
    JsonObject issue = board.get(id);
    assertThat(issue.getString("status")).isEqualTo("Done");
    assertThat(issue.getJsonArray("prs").getJsonObject(0).getString("status")).isEqualTo("merged");
    JsonArray moves = board.history(id, "issue.status_changed");
    assertThat(moves).hasSize(1);
    assertThat(moves.getJsonObject(0).getString("to")).isEqualTo("Done");
    assertThat(board.history(id, "issue.pr_linked")).hasSize(1);
  }

  @Test
  @DisplayName("A merged release PR (staging into main) moves every issue it names to Done")
  void releasePullRequest() throws Exception {
    String a = board.issue("Release item A", null, "In Review");
    String b = board.issue("Release item B", null, "Backlog");
    String untouched = board.issue("Not in the release", null, null);
    board.send(pullRequest("closed", 108, "Release 2026-11-05", "Includes " + a + " and " + b + ".", "staging", "main",
      "closed", true, "2026-11-05T10:00:00Z"));
    assertThat(board.status(a)).isEqualTo("Done");
    assertThat(board.status(b)).isEqualTo("Done");
    assertThat(board.status(untouched)).isEqualTo("Backlog");
    assertThat(board.get(b).getJsonArray("prs").getJsonObject(0).getString("match_layer")).isEqualTo("release");
  }
}
