package dev.hookyard.processors.matching;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.AbstractInProcessEmbeddingModel;
import dev.langchain4j.model.embedding.onnx.OnnxBertBiEncoder;
import dev.langchain4j.model.embedding.onnx.PoolingMode;
import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

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
   * Inference is all CPU: it runs on the matching pool ({@link MatchingThreads}), as
   * many at once as it has threads, never twenty at once on the processing pool, where
   * a burst of pull requests would starve the processors and the event loops.
   */
  static Future<float[]> embed(WorkerExecutor matching, String text) {
    return matching.executeBlocking(() -> embedNow(text), false);
  }

  /** Loads the model in the background so the first pull request does not pay for it. */
  static void warmUp(WorkerExecutor matching) {
    matching.executeBlocking(TextEmbedder::model, false)
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
          m = load();
          log.info("Embedding model all-MiniLM-L6-v2 (quantised) loaded in {} ms", (System.nanoTime() - started) / 1_000_000);
          model = m;
        }
      }
    }
    return m;
  }

  /**
   * The library's all-MiniLM-L6-v2 (quantised) files, in a session that runs each
   * inference on the calling thread alone: ONNX Runtime's default is a thread per core
   * that spin-waits between operators, which on a small machine takes the CPU the
   * event loops need (ingest, board messages) for no gain at one sentence a call.
   */
  private static EmbeddingModel load() {
    ClassLoader jar = AllMiniLmL6V2QuantizedEmbeddingModel.class.getClassLoader();
    try (InputStream onnx = jar.getResourceAsStream("all-minilm-l6-v2-q.onnx");
         InputStream tokenizer = jar.getResourceAsStream("all-minilm-l6-v2-q-tokenizer.json");
         OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      if (onnx == null || tokenizer == null) {
        throw new IllegalStateException("the all-MiniLM-L6-v2 model files are not on the class path");
      }
      options.setIntraOpNumThreads(1);
      options.setInterOpNumThreads(1);
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
      options.addConfigEntry("session.inter_op.allow_spinning", "0");
      OrtEnvironment environment = OrtEnvironment.getEnvironment();
      OnnxBertBiEncoder encoder = new OnnxBertBiEncoder(environment, environment.createSession(onnx.readAllBytes(), options),
        tokenizer, PoolingMode.MEAN);
      // Runs segments on the calling worker thread rather than a pool of its own.
      return new AbstractInProcessEmbeddingModel(Runnable::run) {
        @Override
        protected OnnxBertBiEncoder model() {
          return encoder;
        }
      };
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the embedding model", e);
    } catch (OrtException e) {
      throw new IllegalStateException("cannot load the embedding model: " + e.getMessage(), e);
    }
  }
}
