package dev.ballast.degradation.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.degradation.SwitchName;
import dev.ballast.redis.RedisGuard;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The write script against a real Redis: whatever order stamped sets and releases of a few fields arrive
 * in (an outage's queue, a write-back after Redis lost its data, instances racing), each field ends as the
 * action with the newest stamp says, and a stale write never changes anything.
 */
class NewestActionWinsPropertyTest {

  private static final List<String> FIELDS = List.of("switch:read-only", "mode:survival", "switch:serve-cached");
  private static RedisServer server;
  private static RedisClient client;
  private static StatefulRedisConnection<String, String> raw;
  private static final AtomicInteger names = new AtomicInteger();

  @BeforeContainer
  static void launch() {
    server = RedisServer.fromEnvironment();
    client = server.newClient();
    raw = client.connect();
  }

  @AfterContainer
  static void stop() {
    raw.close();
    client.shutdown();
    server.close();
  }

  /** One action: field, set (true) or release, the wall-clock millis and instance of its stamp. */
  record Action(int field, boolean set, long millis, String instance) {}

  @Provide
  Arbitrary<List<Action>> actions() {
    Arbitrary<Action> action = Combinators.combine(Arbitraries.integers().between(0, FIELDS.size() - 1),
        Arbitraries.of(true, false), Arbitraries.longs().between(1_700_000_000_000L, 1_700_000_000_020L),
        Arbitraries.of("a", "b", "c")).as(Action::new);
    return action.list().ofMinSize(1).ofMaxSize(25);
  }

  @Property(tries = 60)
  void eachFieldEndsAsItsNewestActionWhateverTheOrderOfArrival(@ForAll("actions") List<Action> actions,
      @ForAll long seed) {
    String name = "newest-" + names.incrementAndGet();
    RedisGuard guard = RedisGuard.create("degradation:" + name, null);
    List<Op> ops = new ArrayList<>();
    for (int i = 0; i < actions.size(); i++) {
      Action a = actions.get(i);
      String field = FIELDS.get(a.field());
      // the index as the counter: every stamp distinct, as an instance's clock makes them
      String clock = String.format("%013d%06d@%s", a.millis(), i, a.instance());
      Entry entry = a.set() ? new Entry(field, 0, "op" + i, "why", Map.of(SwitchName.READ_ONLY, true)) : null;
      ops.add(new Op(field, entry, clock));
    }
    List<Op> arrival = new ArrayList<>(ops);
    Collections.shuffle(arrival, new Random(seed));
    try (RedisFleet fleet = new RedisFleet(() -> dev.ballast.redis.internal.port.RedisPort.open(client), "prop:", name, Duration.ofSeconds(2), guard, new RedisFleet.Events() {
      @Override
      public void onBroadcast(String message) {}

      @Override
      public void onSubscribed() {}
    })) {
      for (Op op : arrival) {
        assertThat(fleet.write(op, 0)).isNotNull();
      }
      RedisFleet.State state = fleet.readAll();
      for (String field : FIELDS) {
        Op newest = ops.stream().filter(op -> op.field().equals(field)).max((x, y) -> x.clock().compareTo(y.clock()))
            .orElse(null);
        if (newest == null) {
          assertThat(state.hash()).doesNotContainKey(field);
          continue;
        }
        assertThat(state.clocks()).containsEntry(field, newest.clock());
        if (newest.entry() == null) {
          assertThat(state.hash()).doesNotContainKey(field);
        } else {
          assertThat(state.hash().get(field)).endsWith("|" + EntryCodec.encodeTail(newest.entry()));
        }
      }
      // and replaying everything again, in any order, changes nothing
      String version = state.hash().get(RedisFleet.VERSION_FIELD);
      Collections.shuffle(arrival, new Random(seed + 1));
      arrival.forEach(op -> fleet.write(op, 0));
      assertThat(fleet.readAll().hash().get(RedisFleet.VERSION_FIELD)).isEqualTo(version);
    } finally {
      guard.close();
    }
  }
}
