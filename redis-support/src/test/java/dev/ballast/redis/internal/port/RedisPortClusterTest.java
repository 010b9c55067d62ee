package dev.ballast.redis.internal.port;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.redis.HashTags;
import dev.ballast.redis.RedisScript;
import dev.ballast.testsupport.RedisCluster;
import dev.ballast.testsupport.RedisClusterExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RedisPortClusterTest {

  @RegisterExtension static final RedisClusterExtension extension = RedisClusterExtension.create();

  private static final Duration DEADLINE = Duration.ofSeconds(30);
  private static final RedisScript PAIR =
      RedisScript.of("pair", "redis.call('SET', KEYS[1], ARGV[1]); redis.call('SET', KEYS[2], ARGV[1]);"
          + " return redis.call('GET', KEYS[2])");

  private final List<RedisClusterClient> clients = new ArrayList<>();
  private final List<RedisPort> ports = new ArrayList<>();
  private RedisCluster cluster;

  @BeforeEach
  void remember(RedisCluster cluster) {
    this.cluster = cluster;
  }

  @AfterEach
  void closeAll() {
    ports.forEach(RedisPort::close);
    clients.forEach(RedisClusterClient::shutdown);
  }

  private RedisPort open(RedisPort.PubSubMode mode) {
    RedisClusterClient client = cluster.newClient();
    clients.add(client);
    RedisPort port = RedisPort.open(client, mode);
    ports.add(port);
    return port;
  }

  @Test
  void scriptsRunOnHashTaggedKeysOfEverySlotAndReloadAfterScriptFlush() {
    RedisPort port = open(RedisPort.PubSubMode.CLASSIC);
    List<String> keys = List.of("", "}", "}x", "{a}", "a{b}c", "%", "%7D", "plain", "k1", "k2", "k3", "k4");
    Set<RedisServer> masters = new HashSet<>();
    for (String key : keys) {
      byte[] a = HashTags.name("p:".getBytes(UTF_8), key.getBytes(UTF_8), ":a".getBytes(UTF_8));
      byte[] b = HashTags.name("p:".getBytes(UTF_8), key.getBytes(UTF_8), ":b".getBytes(UTF_8));
      assertThat(SlotHash.getSlot(a)).isEqualTo(SlotHash.getSlot(b));
      masters.add(cluster.masterForSlot(SlotHash.getSlot(a)));
      byte[] got = join(port.<byte[]>eval(PAIR, ScriptOutputType.VALUE, new byte[][] {a, b}, key.getBytes(UTF_8)));
      assertThat(new String(got, UTF_8)).isEqualTo(key);
    }
    assertThat(masters).as("the keys reach every master").hasSize(3);
    for (RedisServer master : cluster.masters()) {
      try (RedisClient direct = master.newClient(); StatefulRedisConnection<String, String> c = direct.connect()) {
        c.sync().scriptFlush();
      }
    }
    byte[] a = HashTags.name(new byte[0], "after-flush".getBytes(UTF_8), ":a".getBytes(UTF_8));
    byte[] b = HashTags.name(new byte[0], "after-flush".getBytes(UTF_8), ":b".getBytes(UTF_8));
    byte[] got = join(port.<byte[]>eval(PAIR, ScriptOutputType.VALUE, new byte[][] {a, b}, "x".getBytes(UTF_8)));
    assertThat(new String(got, UTF_8)).isEqualTo("x");
  }

  @ParameterizedTest
  @EnumSource(value = RedisPort.PubSubMode.class, names = {"CLASSIC", "SHARDED"})
  void publishReachesSubscribersOfChannelsOnEveryShard(RedisPort.PubSubMode mode) throws Exception {
    if (mode == RedisPort.PubSubMode.SHARDED) {
      cluster.assumeVersionAtLeast("7.0", "sharded pub/sub (SPUBLISH/SSUBSCRIBE)");
    }
    RedisPort subscriber = open(mode);
    RedisPort publisher = open(mode);
    assertThat(subscriber.isShardedPubSub()).isEqualTo(mode == RedisPort.PubSubMode.SHARDED);
    // Three channels, one on each master's slots: the publisher's commands go to three different nodes.
    List<String> channels = channelsOnEveryMaster();
    List<RecordingListener> listeners = new ArrayList<>();
    for (String channel : channels) {
      RecordingListener listener = new RecordingListener();
      listeners.add(listener);
      join(subscriber.subscribe(channel.getBytes(UTF_8), listener).confirmed());
    }
    for (int i = 0; i < channels.size(); i++) {
      long received = join(publisher.publish(channels.get(i).getBytes(UTF_8), ("m" + i).getBytes(UTF_8)));
      assertThat(listeners.get(i).messages.poll(DEADLINE.toSeconds(), TimeUnit.SECONDS)).isEqualTo("m" + i);
      if (mode == RedisPort.PubSubMode.SHARDED) {
        assertThat(received).as("SPUBLISH counts the shard's subscribers").isEqualTo(1);
      }
    }
  }

  @Test
  void autoChoosesShardedPubSubExactlyWhenEveryNodeIsSevenOrNewer() {
    RedisPort port = open(RedisPort.PubSubMode.AUTO);
    assertThat(port.isShardedPubSub()).isEqualTo(cluster.version().atLeast("7.0"));
    assertThat(port.isCluster()).isTrue();
  }

  @Test
  void shardedSubscriberIsToldToResyncAfterItsShardFailsOver() throws Exception {
    cluster.assumeVersionAtLeast("7.0", "sharded pub/sub (SPUBLISH/SSUBSCRIBE)");
    RedisPort subscriber = open(RedisPort.PubSubMode.SHARDED);
    RedisPort publisher = open(RedisPort.PubSubMode.SHARDED);
    String channel = "failover-channel";
    RedisServer master = cluster.masterForSlot(SlotHash.getSlot(channel));
    RecordingListener listener = new RecordingListener();
    join(subscriber.subscribe(channel.getBytes(UTF_8), listener).confirmed());
    master.kill();
    cluster.awaitFailoverOf(master);
    await().atMost(DEADLINE).until(() -> listener.resubscribes.get() >= 1);
    // And the subscription works on the new master.
    await().atMost(DEADLINE).until(() -> {
      publisher.publish(channel.getBytes(UTF_8), "after".getBytes(UTF_8));
      return "after".equals(listener.messages.poll(200, TimeUnit.MILLISECONDS));
    });
  }

  @Test
  void classicSubscriberIsToldToResyncAfterItsNodeRestarts() throws Exception {
    RedisPort subscriber = open(RedisPort.PubSubMode.CLASSIC);
    RedisPort publisher = open(RedisPort.PubSubMode.CLASSIC);
    RecordingListener listener = new RecordingListener();
    join(subscriber.subscribe("classic".getBytes(UTF_8), listener).confirmed());
    RedisServer node = subscribedNode();
    node.kill();
    if (cluster.replicas().stream().noneMatch(node::equals)) {
      cluster.awaitFailoverOf(node);
    }
    cluster.heal(); // the classic subscription is pinned to its node: it comes back when the node does
    await().atMost(DEADLINE).until(() -> listener.resubscribes.get() >= 1);
    await().atMost(DEADLINE).until(() -> {
      publisher.publish("classic".getBytes(UTF_8), "after".getBytes(UTF_8));
      return "after".equals(listener.messages.poll(200, TimeUnit.MILLISECONDS));
    });
  }

  @Test
  void aScriptWhoseKeysASlotMigrationSplitsRunsOnceTheyAreTogetherAgain() {
    RedisPort port = open(RedisPort.PubSubMode.CLASSIC);
    byte[] a = "{split}:a".getBytes(UTF_8);
    byte[] b = "{split}:b".getBytes(UTF_8);
    join(port.<byte[]>eval(PAIR, ScriptOutputType.VALUE, new byte[][] {a, b}, "before".getBytes(UTF_8)));
    int slot = SlotHash.getSlot(a);
    RedisServer from = cluster.masterForSlot(slot);
    RedisServer to = cluster.masters().stream().filter(m -> !m.equals(from)).findFirst().orElseThrow();
    RedisCluster.SlotMigration migration = cluster.beginMigration(slot, from, to);
    assertThat(migration.moveKeys(1)).isEqualTo(1);
    long before = tryAgains(from) + tryAgains(to);
    // One key on each node: Redis answers TRYAGAIN (7.x at the source; 6.2 at the target, after ASK) until
    // the keys are together; the script is retried meanwhile, not failed.
    CompletableFuture<byte[]> pair = port.<byte[]>eval(PAIR, ScriptOutputType.VALUE, new byte[][] {a, b},
        "during".getBytes(UTF_8)).toCompletableFuture();
    await().atMost(DEADLINE).until(() -> tryAgains(from) + tryAgains(to) > before);
    migration.moveAll(10);
    assertThat(new String(join(pair), UTF_8)).isEqualTo("during");
    migration.finish();
    assertThat(cluster.masterForSlot(slot)).isEqualTo(to);
  }

  @Test
  void shardedSubscriberIsToldToResyncAfterItsSlotMigrates() throws Exception {
    cluster.assumeVersionAtLeast("7.0", "sharded pub/sub (SPUBLISH/SSUBSCRIBE)");
    RedisPort subscriber = open(RedisPort.PubSubMode.SHARDED);
    RedisPort publisher = open(RedisPort.PubSubMode.SHARDED);
    String channel = "migrating-channel";
    int slot = SlotHash.getSlot(channel);
    RedisServer from = cluster.masterForSlot(slot);
    RedisServer to = cluster.masters().stream().filter(m -> !m.equals(from)).findFirst().orElseThrow();
    RecordingListener listener = new RecordingListener();
    join(subscriber.subscribe(channel.getBytes(UTF_8), listener).confirmed());
    // The old owner drops its shard channels' subscribers when it gives the slot away (SUNSUBSCRIBE from the
    // server); the port subscribes again at the new owner and says messages may have been lost.
    cluster.migrateSlot(slot, from, to);
    await().atMost(DEADLINE).until(() -> listener.resubscribes.get() >= 1);
    await().atMost(DEADLINE).until(() -> {
      publisher.publish(channel.getBytes(UTF_8), "after".getBytes(UTF_8));
      return "after".equals(listener.messages.poll(200, TimeUnit.MILLISECONDS));
    });
  }

  @Test
  void classicSubscriberIsToldItMayHaveLostMessagesWhenItsNodeHangsAndToResyncWhenItAnswers() throws Exception {
    RedisPort subscriber = open(RedisPort.PubSubMode.CLASSIC);
    RedisPort publisher = open(RedisPort.PubSubMode.CLASSIC);
    RecordingListener listener = new RecordingListener();
    join(subscriber.subscribe("hung".getBytes(UTF_8), listener).confirmed());
    RedisServer node = subscribedNode();
    boolean master = cluster.masters().contains(node);
    node.pause(); // SIGSTOP: the connection stays open, so no drop is heard; only the topology tells
    if (master) {
      cluster.awaitFailoverOf(node);
      await().atMost(DEADLINE).until(() -> listener.losses.get() >= 1);
    }
    assertThat(listener.resubscribes.get()).as("no resubscription while the node hangs").isZero();
    node.resume(); // the subscribe sent again on the hung connection is confirmed now: resync
    await().atMost(DEADLINE).until(() -> listener.resubscribes.get() >= 1);
    await().atMost(DEADLINE).until(() -> {
      publisher.publish("hung".getBytes(UTF_8), "after".getBytes(UTF_8));
      return "after".equals(listener.messages.poll(200, TimeUnit.MILLISECONDS));
    });
  }

  @Test
  void aKilledNodesClassicSubscriberIsToldOfTheDropThenResubscribedElsewhere() throws Exception {
    RedisPort subscriber = open(RedisPort.PubSubMode.CLASSIC);
    RedisPort publisher = open(RedisPort.PubSubMode.CLASSIC);
    RecordingListener listener = new RecordingListener();
    join(subscriber.subscribe("killed".getBytes(UTF_8), listener).confirmed());
    RedisServer node = subscribedNode();
    node.kill();
    await().atMost(DEADLINE).until(() -> listener.losses.get() >= 1 && listener.resubscribes.get() >= 1);
    assertThat(node.isRunning()).as("resubscribed while the node is still dead").isFalse();
    await().atMost(DEADLINE).until(() -> {
      publisher.publish("killed".getBytes(UTF_8), "after".getBytes(UTF_8));
      return "after".equals(listener.messages.poll(200, TimeUnit.MILLISECONDS));
    });
  }

  /** TRYAGAIN replies {@code node} has sent so far ({@code INFO errorstats}, Redis 6.2+). */
  private static long tryAgains(RedisServer node) {
    try (RedisClient direct = node.newClient(); StatefulRedisConnection<String, String> c = direct.connect()) {
      for (String line : c.sync().info("errorstats").split("\r?\n")) {
        if (line.startsWith("errorstat_TRYAGAIN:count=")) {
          return Long.parseLong(line.substring("errorstat_TRYAGAIN:count=".length()).strip());
        }
      }
      return 0;
    }
  }

  @ParameterizedTest
  @EnumSource(value = RedisPort.PubSubMode.class, names = {"AUTO", "CLASSIC"})
  void opensAndServesWhileOneReplicaIsDeadAndAnotherHangs(RedisPort.PubSubMode mode) throws Exception {
    List<RedisServer> replicas = cluster.replicas();
    replicas.get(0).kill(); // refuses connections at once
    replicas.get(1).pause(); // accepts, never answers: only a bound on the version probe gets past it
    RedisPort subscriber = open(mode);
    RedisPort publisher = open(mode);
    byte[] a = "{open}:a".getBytes(UTF_8);
    byte[] b = "{open}:b".getBytes(UTF_8);
    assertThat(new String(join(subscriber.<byte[]>eval(PAIR, ScriptOutputType.VALUE, new byte[][] {a, b},
        "served".getBytes(UTF_8))), UTF_8)).isEqualTo("served");
    RecordingListener listener = new RecordingListener();
    join(subscriber.subscribe("degraded".getBytes(UTF_8), listener).confirmed());
    await().atMost(DEADLINE).until(() -> {
      publisher.publish("degraded".getBytes(UTF_8), "heard".getBytes(UTF_8));
      return "heard".equals(listener.messages.poll(200, TimeUnit.MILLISECONDS));
    });
  }

  @Test
  void serverTimeAndPipelinedReadsAcrossSlots() {
    RedisPort port = open(RedisPort.PubSubMode.CLASSIC);
    long micros = join(port.timeMicros());
    assertThat(micros).isCloseTo(System.currentTimeMillis() * 1000, org.assertj.core.data.Offset.offset(60_000_000L));
    List<byte[]> keys = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      byte[] key = ("read" + i).getBytes(UTF_8);
      keys.add(key);
      if (i % 2 == 0) {
        join(port.eval(RedisScript.of("set", "return redis.call('SET', KEYS[1], ARGV[1])"),
            ScriptOutputType.STATUS, new byte[][] {key}, ("v" + i).getBytes(UTF_8)));
      }
    }
    List<byte[]> values = join(port.getAll(keys));
    for (int i = 0; i < 20; i++) {
      assertThat(values.get(i) == null ? null : new String(values.get(i), UTF_8)).isEqualTo(i % 2 == 0 ? "v" + i : null);
    }
  }

  private List<String> channelsOnEveryMaster() {
    List<String> channels = new ArrayList<>();
    Set<RedisServer> seen = new HashSet<>();
    for (int i = 0; channels.size() < 3; i++) {
      String channel = "chan" + i;
      if (seen.add(cluster.masterForSlot(SlotHash.getSlot(channel)))) {
        channels.add(channel);
      }
    }
    return channels;
  }

  /** The node holding the port's classic subscription (CLIENT LIST shows sub=1 there). */
  private RedisServer subscribedNode() {
    for (RedisServer node : cluster.nodes()) {
      try (RedisClient direct = node.newClient(); StatefulRedisConnection<String, String> c = direct.connect()) {
        if (c.sync().clientList().contains(" sub=1 ")) {
          return node;
        }
      }
    }
    throw new AssertionError("no node holds the subscription");
  }

  private static <T> T join(java.util.concurrent.CompletionStage<T> stage) {
    return stage.toCompletableFuture().orTimeout(DEADLINE.toSeconds(), TimeUnit.SECONDS).join();
  }
}
