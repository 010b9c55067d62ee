package dev.ballast.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.testsupport.ManualTicker;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** The store guards of the in-process tier, step by step (the races they close need exact interleavings). */
class L1StoreTest {

  private final ManualTicker clock = new ManualTicker();
  private final L1Store<String, String> l1 = new L1Store<>(100, 1_000_000_000L, 1_000_000_000L, clock::read,
      clock::read, new CacheMeters("l1-store-test", new SimpleMeterRegistry()));

  @Test
  void aReadThatBeganBeforeABackgroundRefreshLandedDoesNotPutTheOlderValueBack() {
    Flight<String> read = l1.newFlight();
    assertThat(l1.register("k", read)).isNull(); // read Redis: v1, about to store
    Flight<String> refresh = l1.newFlight();
    assertThat(l1.startRefresh("k", refresh)).isTrue();
    l1.store("k", refresh, "v2", 0, 10_000_000_000L, 20_000_000_000L); // the refresh's fill lands first

    l1.store("k", read, "v1", 0, 10_000_000_000L, 20_000_000_000L);

    assertThat(l1.getIfPresent("k").value).isEqualTo("v2");
  }

  @Test
  void aReadThatBeganAfterTheRefreshLandedStores() {
    Flight<String> refresh = l1.newFlight();
    l1.startRefresh("k", refresh);
    l1.store("k", refresh, "v2", 0, 10_000_000_000L, 20_000_000_000L);
    l1.endRefresh("k", refresh);
    Flight<String> read = l1.newFlight();
    l1.register("k", read);

    l1.store("k", read, "v3", 0, 10_000_000_000L, 20_000_000_000L);

    assertThat(l1.getIfPresent("k").value).isEqualTo("v3");
  }
}
