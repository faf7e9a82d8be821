package dev.hookyard.processors.matching;

import dev.langchain4j.model.embedding.onnx.allminilml6v2q.AllMiniLmL6V2QuantizedEmbeddingModel;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TextEmbedderTest {

  @Test
  @DisplayName("The single-threaded session gives the library model's vectors, and related texts are closer than unrelated ones")
  void sameVectorsAsTheLibraryModel() {
    String text = "Checkout page times out when the cart holds more than fifty items";
    float[] ours = TextEmbedder.embedNow(text);
    float[] library = Vectors.normalise(new AllMiniLmL6V2QuantizedEmbeddingModel().embed(text).content().vector().clone());
    assertThat(ours).hasSize(Vectors.DIMENSIONS);
    assertThat(dot(ours, library)).isGreaterThan(0.9999f);

    float related = dot(ours, TextEmbedder.embedNow("Fix timeout on checkout with large carts"));
    float unrelated = dot(ours, TextEmbedder.embedNow("Update the logo colours in the marketing footer"));
    assertThat(related).isGreaterThan(unrelated + 0.2f);
  }

  private static float dot(float[] a, float[] b) {
    float s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }
}
