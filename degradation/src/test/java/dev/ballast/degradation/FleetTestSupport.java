package dev.ballast.degradation;

import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;

/**
 * What the fleet tests share: a client on the test's Redis (the subclass chooses which, with its own
 * {@code RedisExtension}), a raw connection to look at the keys, a switchboard name unique to the test
 * method, the switchboards the test built, closed after it, and a client of its own per instance on request.
 */
public abstract class FleetTestSupport {

  protected RedisClient client;
  protected StatefulRedisConnection<String, String> raw;
  protected RedisCommands<String, String> redis;
  protected String name;
  protected final List<Switchboard> boards = new ArrayList<>();
  private final List<RedisClient> ownClients = new ArrayList<>();
  private RedisServer server;

  /** A Lettuce client of its own for one instance (as separate processes would have), shut down after the test. */
  protected RedisClient ownClient() {
    RedisClient own = server.newClient();
    ownClients.add(own);
    return own;
  }

  @BeforeEach
  void connectToTheFleetsRedis(RedisServer server, TestInfo info) {
    this.server = server;
    client = server.newClient();
    raw = client.connect();
    redis = raw.sync();
    name = info.getTestMethod().orElseThrow().getName();
  }

  @AfterEach
  void closeTheBoardsAndTheClient() {
    boards.forEach(Switchboard::close);
    ownClients.forEach(RedisClient::shutdown);
    raw.close();
    client.shutdown();
  }
}
