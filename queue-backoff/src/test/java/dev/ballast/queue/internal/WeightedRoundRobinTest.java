package dev.ballast.queue.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Smooth weighted round robin: every cycle gives each busy level exactly its weight, idle levels none. */
class WeightedRoundRobinTest {

  @Property(tries = 300)
  void eachCycleGivesEveryBusyLevelExactlyItsWeight(
      @ForAll @Size(min = 1, max = 6) List<@IntRange(min = 1, max = 20) Integer> weightList,
      @ForAll @IntRange(min = 0, max = 63) int emptyMask) {
    int[] weights = weightList.stream().mapToInt(Integer::intValue).toArray();
    boolean[] nonEmpty = new boolean[weights.length];
    int cycle = 0;
    for (int p = 0; p < weights.length; p++) {
      nonEmpty[p] = (emptyMask & (1 << p)) == 0;
      cycle += nonEmpty[p] ? weights[p] : 0;
    }
    WeightedRoundRobin wrr = new WeightedRoundRobin(weights);
    if (cycle == 0) {
      assertThat(wrr.pick(nonEmpty)).isEqualTo(-1);
      return;
    }
    for (int round = 0; round < 3; round++) {
      int[] picks = new int[weights.length];
      for (int turn = 0; turn < cycle; turn++) {
        int p = wrr.pick(nonEmpty);
        assertThat(nonEmpty[p]).isTrue();
        picks[p]++;
      }
      for (int p = 0; p < weights.length; p++) {
        assertThat(picks[p]).isEqualTo(nonEmpty[p] ? weights[p] : 0);
      }
    }
  }
}
