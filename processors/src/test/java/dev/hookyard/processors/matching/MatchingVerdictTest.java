package dev.hookyard.processors.matching;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MatchingVerdictTest {

  @Test
  @DisplayName("A verdict is a JSON object with a confidence from 0 to 100; anything else is refused with the reason")
  void verdicts() {
    assertThat(LlmVerifier.parse(" {\"confidence\": 87, \"reason\": \"same bug\"} "))
      .isEqualTo(new LlmVerifier.Verdict(87, "same bug"));
    assertThat(LlmVerifier.parse("```json\n{\"confidence\": 0, \"reason\": \"unrelated\"}\n```").confidence()).isZero();
    assertThat(LlmVerifier.parse("{\"confidence\": 99.6}")).isEqualTo(new LlmVerifier.Verdict(100, ""));

    for (String bad : new String[] {
      "{\"confidence\": 150, \"reason\": \"very sure\"}",
      "{\"confidence\": -1}",
      "{\"confidence\": \"90\"}",
      "{\"reason\": \"no number\"}",
      "[90]",
      "Confidence: 90",
      "{\"confidence\": 90} and some words",
      ""}) {
      assertThatThrownBy(() -> LlmVerifier.parse(bad)).as(bad).isInstanceOf(IllegalStateException.class);
    }
  }
}
