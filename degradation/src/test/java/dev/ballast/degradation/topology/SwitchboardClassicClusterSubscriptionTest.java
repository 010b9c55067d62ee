package dev.ballast.degradation.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.degradation.Reason;
import dev.ballast.degradation.SwitchName;
import dev.ballast.degradation.Switchboard;
import dev.ballast.testsupport.RedisCluster;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On a Redis 6.2 cluster (the embedded binary, whatever is on {@code PATH}) the boards use classic pub/sub
 * and a board's subscription lives on one node. A node that is killed closes its connections and Lettuce
 * re-subscribes on another node within a few hundred milliseconds (the port's resubscribe notice makes the
 * board re-read). A node that stops answering without closing them (paused here; a partition or a hung
 * host alike) leaves the subscription silently dead: the cluster fails it over, but nothing told the board,
 * which stayed stale until its periodic re-read ({@code refreshEvery}, 10 minutes here) even after the node
 * came back. Now a classic port treats a failed or demoted node in the client's topology as a possibly lost
 * subscription: it tells the board (which re-reads every 500 ms until subscribed again) and subscribes again.
 */
class SwitchboardClassicClusterSubscriptionTest {

  private static final Duration DEADLINE = Duration.ofSeconds(20);
  private static RedisCluster cluster;

  private final List<Switchboard> boards = new ArrayList<>();
  private final List<RedisClusterClient> clients = new ArrayList<>();

  @BeforeAll
  static void launch() {
    cluster = RedisCluster.builder().binary("embedded").launch();
    assertThat(cluster.version().major()).as("the embedded binary is Redis 6.2").isEqualTo(6);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void closeTheBoards() {
    boards.forEach(Switchboard::close);
    clients.forEach(RedisClusterClient::shutdown);
    cluster.heal();
  }

  @Test
  void aBoardWhoseSubscriptionNodeHangsSeesAFlipMadeAfterTheFailover() {
    // The board's keys must live elsewhere than b's subscription: a call of b's meeting the hung node would
    // end in an outage whose recovery re-reads, and the test would not show the subscription's own notice.
    String name;
    Switchboard b;
    RedisServer subscriptionNode;
    int attempt = 0;
    do {
      assertThat(attempt++).as("attempts to find a board whose keys avoid b's subscription node").isLessThan(20);
      name = "classic-" + System.nanoTime();
      b = board(name, "b");
      subscriptionNode = theOnlySubscribedNode(); // b's: no other board subscribes yet
      if (subscriptionNode.equals(masterOf(name)) || !cluster.masters().contains(subscriptionNode)) {
        boards.remove(b);
        b.close();
        b = null;
      }
    } while (b == null);
    Switchboard a = board(name, "a");
    a.degrade(SwitchName.SERVE_CACHED, new Reason("alice", "before the pause"));
    await("b hears a flip while its node answers").atMost(DEADLINE).until(b::isServingCached);

    subscriptionNode.pause(); // SIGSTOP: b's connection stays open, its subscription hears nothing
    cluster.awaitFailoverOf(subscriptionNode);
    a.degrade(SwitchName.READ_ONLY, new Reason("alice", "while b's subscription node hangs"));

    Switchboard stale = b;
    await("b re-reads the flip made while its subscription node hangs").atMost(DEADLINE).until(stale::isReadOnly);
    assertThat(subscriptionNode.isPaused()).as("the node holding b's subscription still hangs").isTrue();
  }

  private Switchboard board(String name, String instance) {
    RedisClusterClient client = cluster.newClient();
    clients.add(client);
    Switchboard board = Switchboard.builder().name(name).instanceId(instance).redisTimeout(Duration.ofMillis(500))
        .refreshEvery(Duration.ofMinutes(10)).redis(client).build();
    boards.add(board);
    return board;
  }

  private static RedisServer masterOf(String board) {
    byte[] key = ("ballast:degradation:{" + board + "}").getBytes(StandardCharsets.UTF_8);
    return cluster.masterForSlot(SlotHash.getSlot(key));
  }

  /** The node whose CLIENT LIST shows a pub/sub client; fails unless exactly one does. */
  private static RedisServer theOnlySubscribedNode() {
    List<RedisServer> subscribed = new ArrayList<>();
    for (RedisServer node : cluster.nodes()) {
      try (RedisClient direct = node.newClient(); StatefulRedisConnection<String, String> c = direct.connect()) {
        if (c.sync().clientList().contains(" sub=1 ")) {
          subscribed.add(node);
        }
      }
    }
    assertThat(subscribed).as("nodes holding a subscription").hasSize(1);
    return subscribed.get(0);
  }
}
