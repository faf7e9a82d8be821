package dev.hookyard.processors.board;

import dev.hookyard.common.board.IssueReferences;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/** What matching found for a pull request: explicit references and semantic candidates. */
record Matches(List<IssueReferences.Reference> explicit, List<Candidate> candidates, String layerOfExplicit,
               String verifier) {

  /** A semantic candidate; {@code linked} once the verifier was confident enough. */
  record Candidate(long issueId, String identifier, String title, double similarity, Integer confidence,
                   String reason, String layer, boolean linked) {
  }

  static Matches explicitOnly(List<IssueReferences.Reference> refs, String layer, String verifier) {
    return new Matches(refs, List.of(), layer, verifier);
  }

  /** Reads the matching verticle's reply (shape in {@code Addresses.MATCHING_REQUEST}). */
  static Matches fromReply(JsonObject reply) {
    List<IssueReferences.Reference> refs = new ArrayList<>();
    JsonArray explicit = reply.getJsonArray("explicit", new JsonArray());
    for (int i = 0; i < explicit.size(); i++) {
      JsonObject r = explicit.getJsonObject(i);
      refs.add(new IssueReferences.Reference(r.getString("identifier"), r.getString("strength"), r.getString("where")));
    }
    List<Candidate> candidates = new ArrayList<>();
    JsonArray found = reply.getJsonArray("candidates", new JsonArray());
    for (int i = 0; i < found.size(); i++) {
      JsonObject c = found.getJsonObject(i);
      candidates.add(new Candidate(c.getLong("issue_id"), c.getString("identifier"), c.getString("title"),
        c.getDouble("similarity", 0.0), c.getInteger("confidence"), c.getString("reason"),
        c.getString("layer", "semantic"), c.getBoolean("linked", false)));
    }
    return new Matches(refs, candidates, "explicit", reply.getString("verifier", "skipped"));
  }
}
