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
 * method, and the switchboards the test built, closed after it.
 */
public abstract class FleetTestSupport {

  protected RedisClient client;
  protected StatefulRedisConnection<String, String> raw;
  protected RedisCommands<String, String> redis;
  protected String name;
  protected final List<Switchboard> boards = new ArrayList<>();

  @BeforeEach
  void connectToTheFleetsRedis(RedisServer server, TestInfo info) {
    client = server.newClient();
    raw = client.connect();
    redis = raw.sync();
    name = info.getTestMethod().orElseThrow().getName();
  }

  @AfterEach
  void closeTheBoardsAndTheClient() {
    boards.forEach(Switchboard::close);
    raw.close();
    client.shutdown();
  }
}
