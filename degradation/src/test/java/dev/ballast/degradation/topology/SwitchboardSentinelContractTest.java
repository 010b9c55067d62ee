package dev.ballast.degradation.topology;

import dev.ballast.degradation.SwitchboardBuilder;
import dev.ballast.testsupport.RedisSentinelExtension;
import dev.ballast.testsupport.RedisSentinelSetup;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The switchboard's fleet contract on a Sentinel setup (1 master, 1 replica, 3 Sentinels), each board on a
 * {@code redis-sentinel://} client: after the master is killed, Lettuce asks the Sentinels again and the
 * re-subscription on the new master makes each board re-read.
 */
class SwitchboardSentinelContractTest extends SwitchboardTopologyContract {

  @RegisterExtension static final RedisSentinelExtension extension = RedisSentinelExtension.create();

  private final List<RedisClient> clients = new ArrayList<>();
  private RedisSentinelSetup setup;

  @BeforeEach
  void remember(RedisSentinelSetup setup) {
    this.setup = setup;
  }

  @Override
  protected SwitchboardBuilder attach(SwitchboardBuilder builder) {
    RedisClient client = setup.newClient();
    clients.add(client);
    return builder.redis(client);
  }

  @Override
  protected void shutDownClients() {
    clients.forEach(RedisClient::shutdown);
    clients.clear();
  }

  @Override
  protected void killTheMasterOf(String board) {
    RedisServer master = setup.master();
    master.kill();
    setup.awaitFailoverFrom(master);
  }
}
