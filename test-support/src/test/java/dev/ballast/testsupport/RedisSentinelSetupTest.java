package dev.ballast.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisSentinelSetupTest {

  @RegisterExtension static final RedisSentinelExtension sentinel = RedisSentinelExtension.create();

  @Test
  void sentinelsAgreeOnTheMasterAndTheReplicaFollowsIt(RedisSentinelSetup setup) {
    assertThat(setup.master()).isEqualTo(setup.dataNodes().get(0));
    assertThat(setup.replica()).isEqualTo(setup.dataNodes().get(1));
    assertThat(setup.sentinels()).hasSize(3);
    for (RedisServer s : setup.sentinels()) {
      assertThat(Admin.field(Admin.call(s, "INFO", "server"), "redis_mode")).isEqualTo("sentinel");
    }
    RedisClient client = setup.newClient();
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      connection.sync().set("k", "v");
      assertThat(Admin.call(setup.master(), "GET", "k")).isEqualTo("v");
    } finally {
      client.shutdown();
    }
  }

  @Test
  void requestedFailoverSwapsRolesAndClientsFollow(RedisSentinelSetup setup) {
    RedisServer old = setup.master();
    RedisClient client = setup.newClient();
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      connection.sync().set("before", "1");
      RedisServer promoted = setup.failover();
      assertThat(promoted).isNotEqualTo(old);
      assertThat(setup.replica()).isEqualTo(old);
      // The Sentinels close the old master's clients; the client asks them again and finds the new one.
      connection.sync().set("after", "2");
      assertThat(Admin.call(promoted, "GET", "after")).isEqualTo("2");
      assertThat(Admin.call(promoted, "GET", "before")).isEqualTo("1");
    } finally {
      client.shutdown();
    }
  }

  @Test
  void killedMasterIsReplacedAndRejoinsAsReplica(RedisSentinelSetup setup) {
    RedisServer old = setup.master();
    old.kill();
    RedisServer promoted = setup.awaitFailoverFrom(old);
    assertThat(promoted).isNotEqualTo(old);
    // Restarted and left to the Sentinels (heal() would point it at the new master itself).
    old.start();
    setup.awaitHealthy();
    assertThat(setup.master()).isEqualTo(promoted);
    assertThat(Admin.field(Admin.call(old, "INFO", "replication"), "role")).isEqualTo("slave");
  }

  @Test
  void aPausedSentinelDoesNotStopAFailover(RedisSentinelSetup setup) {
    setup.sentinels().get(0).pause();
    RedisServer old = setup.master();
    old.pause();
    assertThat(setup.awaitFailoverFrom(old)).isNotEqualTo(old);
  }
}
