package dev.ballast.degradation.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.degradation.SwitchName;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * What an instance shows after Redis went back in time (an older append-only file, a lagging replica): the
 * same epoch, a version below the one held here, versions used again for new changes.
 */
class BoardStateTest {

  private static final String EPOCH = "1764780000000000";
  private static final String READ_ONLY = "switch:read-only";

  private final BoardState state = new BoardState("t", "a", Set.of(), Clock.systemUTC(),
      new ChangeReporter("t", new SwitchMeters(null, "t", name -> null)), () -> {});

  private static String value(String who) {
    return "1764780000000|" + who + "|why|read-only=1";
  }

  private static RedisFleet.State read(long version, Map<String, String> fields, Map<String, String> clocks) {
    Map<String, String> hash = new LinkedHashMap<>(fields);
    hash.put(RedisFleet.VERSION_FIELD, Long.toString(version));
    hash.put(RedisFleet.EPOCH_FIELD, EPOCH);
    return new RedisFleet.State(hash, clocks);
  }

  /** Reads version 1 (read-only on), then hears versions 2 to 4: read-only released, set, released. */
  private void runAheadOfTheStateRedisWillComeBackWith() {
    String first = state.nextClock();
    state.applyState(read(1, Map.of(READ_ONLY, value("alice")), Map.of(READ_ONLY, first)));
    state.applyBroadcast(EPOCH + "|2|del|" + READ_ONLY + "|" + state.nextClock() + "|");
    state.applyBroadcast(EPOCH + "|3|set|" + READ_ONLY + "|" + state.nextClock() + "|" + value("bob"));
    state.applyBroadcast(EPOCH + "|4|del|" + READ_ONLY + "|" + state.nextClock() + "|");
    assertThat(state.snapshot().get(SwitchName.READ_ONLY).on()).isFalse();
    // Redis comes back with version 1 (read-only on, by alice); this instance's write-back of the release
    // is version 2
    state.applyState(read(1, Map.of(READ_ONLY, value("alice")), Map.of(READ_ONLY, first)));
  }

  @Test
  void ourOwnWriteUnderAVersionUsedAgainShowsAtOnce() {
    runAheadOfTheStateRedisWillComeBackWith();
    String set = state.nextClock();
    state.applyWritten(READ_ONLY, new RedisFleet.Written(3, value("carol"), EPOCH, set));
    assertThat(state.snapshot().get(SwitchName.READ_ONLY).who()).isEqualTo("carol");
  }

  @Test
  void anotherInstancesChangeUnderAVersionUsedAgainApplies() {
    runAheadOfTheStateRedisWillComeBackWith();
    state.applyBroadcast(EPOCH + "|2|set|" + READ_ONLY + "|" + state.nextClock() + "|" + value("carol"));
    assertThat(state.snapshot().get(SwitchName.READ_ONLY).who()).isEqualTo("carol");
  }

  @Test
  void aBroadcastAlreadyAppliedIsNotAppliedAgain() {
    String clock = state.nextClock();
    state.applyState(read(1, Map.of(), Map.of()));
    String set = EPOCH + "|2|set|" + READ_ONLY + "|" + clock + "|" + value("alice");
    state.applyBroadcast(set);
    state.applyBroadcast(EPOCH + "|3|del|" + READ_ONLY + "|" + state.nextClock() + "|");
    state.applyBroadcast(set); // a replay: older than the release
    assertThat(state.snapshot().get(SwitchName.READ_ONLY).on()).isFalse();
  }
}
