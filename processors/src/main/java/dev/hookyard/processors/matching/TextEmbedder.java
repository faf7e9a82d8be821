package dev.hookyard.processors.matching;

import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * all-MiniLM-L6-v2 (quantised), in process. The model is ~23 MB of ONNX plus native
 * libraries and takes about a second to load, so it is loaded once per JVM, on first
 * use, on a worker thread; every instance and the embedding job share it. Inference
 * is CPU-bound (~14 ms a sentence) and always runs in {@code executeBlocking}.
 */
final class TextEmbedder {

  private static final Logger log = LoggerFactory.getLogger(TextEmbedder.class);

  /**
   * Longer texts are cut here: the model reads 256 tokens a window and averages the
   * windows, so a 60 KB pull-request body would cost seconds for no better vector.
   */
  static final int MAX_CHARS = 4000;

  private static volatile EmbeddingModel model;

  private TextEmbedder() {
  }

  /** The text an issue is embedded from, and compared with {@code embedded_text}. */
  static String issueText(String title, String description) {
    return title + "\n\n" + (description == null ? "" : description);
  }

  /**
   * Inference is all CPU: run one at a time per calling verticle (ordered blocking code),
   * never twenty at once on the worker pool, where a burst of pull requests would starve
   * every event loop of the process — ingest and board messages included.
   */
  static Future<float[]> embed(Vertx vertx, String text) {
    return vertx.executeBlocking(() -> embedNow(text), true);
  }

  /** Loads the model in the background so the first pull request does not pay for it. */
  static void warmUp(Vertx vertx) {
    vertx.executeBlocking(TextEmbedder::model, false)
      .onFailure(e -> log.error("Embedding model failed to load: {}", e.toString()));
  }

  /** Blocking: call on a worker thread only. */
  static float[] embedNow(String text) {
    String input = text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) : text;
    if (input.isBlank()) {
      return new float[Vectors.DIMENSIONS];
    }
    float[] v = model().embed(input).content().vector();
    // The model already returns unit vectors; normalising again costs nothing and
    // keeps "cosine = dot product" true whatever a future model version does.
    return Vectors.normalise(v.clone());
  }

  private static EmbeddingModel model() {
    EmbeddingModel m = model;
    if (m == null) {
      synchronized (TextEmbedder.class) {
        m = model;
        if (m == null) {
          long started = System.nanoTime();
          // Runs segments on the calling worker thread rather than a pool of its own.
          m = new AllMiniLmL6V2QuantizedEmbeddingModel(Runnable::run);
          log.info("Embedding model all-MiniLM-L6-v2 (quantised) loaded in {} ms", (System.nanoTime() - started) / 1_000_000);
          model = m;
        }
      }
    }
    return m;
  }
}
