package dev.hookyard.processors.matching;

import dev.hookyard.common.config.HookyardConfig;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.core.http.HttpResponseExpectation;
import io.vertx.core.buffer.Buffer;

import java.util.Locale;

/**
 * Asks an LLM how sure it is that a pull request concerns an issue. One HTTP call per
 * (PR, candidate); the answer must be exactly {@code {"confidence": 0-100, "reason": …}}.
 * Anything else — another status, no answer in time, prose, a missing or out-of-range
 * confidence — fails the call, and the circuit breaker counts it.
 */
final class LlmVerifier {

  enum Provider {
    NONE, OPENAI, GEMINI;

    static Provider parse(String name) {
      try {
        return valueOf(name.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(HookyardConfig.AI_PROVIDER + " must be none, openai or gemini, got '" + name + "'");
      }
    }

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  record PullRequest(String title, String body, String headRef) {
  }

  record Issue(String identifier, String title, String description) {
  }

  record Verdict(int confidence, String reason) {
  }

  /** Prompt fields are cut here: the verdict needs the gist, and tokens cost money and time. */
  static final int MAX_FIELD_CHARS = 4000;

  static final String INSTRUCTIONS = """
    You decide whether a GitHub pull request resolves or works on a given issue of a \
    team's issue board. Answer with ONLY a JSON object, no prose and no code fence: \
    {"confidence": <integer 0-100, how sure you are the pull request concerns this issue>, \
    "reason": "<one short sentence>"}""";

  private final WebClient client;
  private final Provider provider;
  private final String url;
  private final String key;
  private final String model;
  private final long timeoutMs;

  LlmVerifier(WebClient client, Provider provider, String url, String key, String model, long timeoutMs) {
    this.client = client;
    this.provider = provider;
    this.url = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    this.key = key;
    this.model = model;
    this.timeoutMs = timeoutMs;
  }

  static String defaultUrl(Provider provider) {
    return provider == Provider.GEMINI ? "https://generativelanguage.googleapis.com/v1beta" : "https://api.openai.com/v1";
  }

  static String defaultModel(Provider provider) {
    return provider == Provider.GEMINI ? "gemini-2.0-flash" : "gpt-4o-mini";
  }

  Provider provider() {
    return provider;
  }

  Future<Verdict> verify(PullRequest pr, Issue issue) {
    String prompt = prompt(pr, issue);
    HttpRequest<Buffer> request;
    JsonObject body;
    if (provider == Provider.GEMINI) {
      String name = model.startsWith("models/") ? model.substring("models/".length()) : model;
      request = client.postAbs(url + "/models/" + name + ":generateContent");
      if (key != null) {
        request.putHeader("x-goog-api-key", key);
      }
      body = new JsonObject()
        .put("systemInstruction", new JsonObject().put("parts", new JsonArray().add(new JsonObject().put("text", INSTRUCTIONS))))
        .put("contents", new JsonArray().add(new JsonObject().put("role", "user")
          .put("parts", new JsonArray().add(new JsonObject().put("text", prompt)))))
        .put("generationConfig", new JsonObject().put("temperature", 0).put("responseMimeType", "application/json"));
    } else {
      request = client.postAbs(url + "/chat/completions");
      if (key != null) {
        request.bearerTokenAuthentication(key);
      }
      body = new JsonObject().put("model", model).put("temperature", 0).put("messages", new JsonArray()
        .add(new JsonObject().put("role", "system").put("content", INSTRUCTIONS))
        .add(new JsonObject().put("role", "user").put("content", prompt)));
    }
    // The breaker's timeout fails the call; these let go of the connection as well.
    request.connectTimeout(timeoutMs).idleTimeout(timeoutMs);
    return request.sendJsonObject(body)
      .expecting(HttpResponseExpectation.SC_OK)
      .map(response -> parse(answer(response.bodyAsJsonObject())));
  }

  /** The model's text: the chat completion's message, or Gemini's first candidate. */
  private String answer(JsonObject response) {
    try {
      if (provider == Provider.GEMINI) {
        return response.getJsonArray("candidates").getJsonObject(0).getJsonObject("content")
          .getJsonArray("parts").getJsonObject(0).getString("text");
      }
      return response.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content");
    } catch (RuntimeException e) {
      throw new IllegalStateException(provider.label() + " answered without the expected text: " + e);
    }
  }

  static String prompt(PullRequest pr, Issue issue) {
    return "Pull request\n"
      + "Title: " + cut(pr.title()) + "\n"
      + "Branch: " + cut(pr.headRef()) + "\n"
      + "Description:\n" + cut(pr.body()) + "\n\n"
      + "Issue " + issue.identifier() + "\n"
      + "Title: " + cut(issue.title()) + "\n"
      + "Description:\n" + cut(issue.description()) + "\n";
  }

  /** The verdict in {@code text}, or an exception saying why it is not one. */
  static Verdict parse(String text) {
    if (text == null) {
      throw new IllegalStateException("no answer text");
    }
    String json = text.strip();
    // A fenced block is the one wrapping models add despite being told; anything else is refused.
    if (json.startsWith("```") && json.endsWith("```") && json.length() >= 6) {
      json = json.substring(3, json.length() - 3).strip();
      if (json.regionMatches(true, 0, "json", 0, 4)) {
        json = json.substring(4).strip();
      }
    }
    JsonObject verdict;
    try {
      verdict = new JsonObject(json);
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalStateException("answer is not a JSON object: " + abbreviate(text));
    }
    if (!(verdict.getValue("confidence") instanceof Number n)) {
      throw new IllegalStateException("answer has no numeric confidence: " + abbreviate(text));
    }
    double c = n.doubleValue();
    if (!(c >= 0 && c <= 100)) {
      throw new IllegalStateException("confidence out of range 0-100: " + c);
    }
    Object reason = verdict.getValue("reason");
    return new Verdict((int) Math.round(c), reason == null ? "" : String.valueOf(reason));
  }

  private static String cut(String s) {
    if (s == null || s.isBlank()) {
      return "(none)";
    }
    return s.length() > MAX_FIELD_CHARS ? s.substring(0, MAX_FIELD_CHARS) + " …" : s;
  }

  private static String abbreviate(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "…" : s;
  }
}
