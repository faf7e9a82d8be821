package dev.hookyard.processors.matching;

import io.vertx.core.buffer.Buffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Issue vectors as {@code board_issues.embedding} keeps them: {@value #DIMENSIONS}
 * float32 values, little-endian, unit length (so cosine similarity is a dot product).
 */
final class Vectors {

  static final int DIMENSIONS = 384;
  static final int BYTES = DIMENSIONS * Float.BYTES;

  private Vectors() {
  }

  static Buffer encode(float[] vector) {
    if (vector.length != DIMENSIONS) {
      throw new IllegalArgumentException("expected " + DIMENSIONS + " dimensions, got " + vector.length);
    }
    ByteBuffer bytes = ByteBuffer.allocate(BYTES).order(ByteOrder.LITTLE_ENDIAN);
    bytes.asFloatBuffer().put(vector);
    return Buffer.buffer(bytes.array());
  }

  /** The stored vector, or null for a missing or malformed one (such an issue is no candidate). */
  static float[] decode(Buffer stored) {
    if (stored == null || stored.length() != BYTES) {
      return null;
    }
    float[] v = new float[DIMENSIONS];
    ByteBuffer.wrap(stored.getBytes()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
    return v;
  }

  /** Scales {@code v} to unit length in place; a zero vector stays zero. */
  static float[] normalise(float[] v) {
    double sum = 0;
    for (float x : v) {
      sum += x * x;
    }
    if (sum > 0) {
      float scale = (float) (1 / Math.sqrt(sum));
      for (int i = 0; i < v.length; i++) {
        v[i] *= scale;
      }
    }
    return v;
  }
}
