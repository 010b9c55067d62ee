package dev.ballast.degradation.topology;

import static org.awaitility.Awaitility.await;

import dev.ballast.core.Registry;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.Configuration;
import dev.ballast.degradation.Reason;
import dev.ballast.degradation.SwitchName;
import dev.ballast.degradation.Switchboard;
import dev.ballast.degradation.SwitchboardBuilder;
import dev.ballast.testsupport.RedisCluster;
import dev.ballast.testsupport.RedisClusterExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The switchboard's fleet contract on a Redis Cluster (3 masters, 3 replicas). On Redis 7 the boards
 * broadcast with sharded pub/sub and the port moves their subscription to the slot's new owner after a
 * failover (a resubscribe notice: the boards re-read), so the periodic re-read stays at 30 s and plays no
 * part. On 6.2 (classic pub/sub) a board whose subscription lived on the killed node hears nothing until
 * that node is back: its periodic re-read (2 s here) is what converges it, as the docs say.
 */
class SwitchboardClusterContractTest extends SwitchboardTopologyContract {

  @RegisterExtension static final RedisClusterExtension extension = RedisClusterExtension.create();

  private final List<RedisClusterClient> clients = new ArrayList<>();
  private RedisCluster cluster;

  @BeforeEach
  void remember(RedisCluster cluster) {
    this.cluster = cluster;
  }

  @Test
  void configurationBuildsASwitchboardOnAClusterClientResource() throws Exception {
    RedisClusterClient client = cluster.newClient();
    clients.add(client);
    String yaml = """
        switchboard:
          name: %s
          redisTimeout: 500ms
        """.formatted(name);
    ConfigContext context = ConfigContext.builder().resource("redis", client).build();
    try (Registry first = Configuration.parse(yaml, "board.yaml").buildRegistry(context);
        Registry second = Configuration.parse(yaml, "board.yaml").buildRegistry(context)) {
      Switchboard a = first.get("switchboard", Switchboard.class);
      Switchboard b = second.get("switchboard", Switchboard.class);
      a.degrade(SwitchName.READ_ONLY, new Reason("alice", "config on a cluster"));
      await().atMost(DEADLINE).until(b::isReadOnly);
    }
  }

  @Override
  protected Duration refreshEvery() {
    return cluster.version().major() >= 7 ? Duration.ofSeconds(30) : Duration.ofSeconds(2);
  }

  @Override
  protected SwitchboardBuilder attach(SwitchboardBuilder builder) {
    RedisClusterClient client = cluster.newClient();
    clients.add(client);
    return builder.redis(client);
  }

  @Override
  protected void shutDownClients() {
    clients.forEach(RedisClusterClient::shutdown);
    clients.clear();
  }

  @Override
  protected void killTheMasterOf(String board) {
    int slot = SlotHash.getSlot(("ballast:degradation:{" + board + "}").getBytes(StandardCharsets.UTF_8));
    RedisServer master = cluster.masterForSlot(slot);
    master.kill();
    cluster.awaitFailoverOf(master);
  }
}
