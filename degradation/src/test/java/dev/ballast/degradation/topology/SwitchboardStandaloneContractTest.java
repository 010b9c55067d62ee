package dev.ballast.degradation.topology;

import dev.ballast.degradation.SwitchboardBuilder;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The switchboard's fleet contract on one Redis server (no failover: that test is skipped). */
@ExtendWith(RedisExtension.class)
class SwitchboardStandaloneContractTest extends SwitchboardTopologyContract {

  private final List<RedisClient> clients = new ArrayList<>();
  private RedisServer server;

  @BeforeEach
  void remember(RedisServer server) {
    this.server = server;
  }

  @Override
  protected SwitchboardBuilder attach(SwitchboardBuilder builder) {
    RedisClient client = server.newClient();
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
    Assumptions.abort("one server has no replica to fail over to");
  }
}
