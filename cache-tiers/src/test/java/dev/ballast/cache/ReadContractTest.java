package dev.ballast.cache;

import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/** The read contract ({@link ReadContractSuite}) on one Redis server, and on L1 only. */
@ExtendWith(RedisExtension.class)
class ReadContractTest extends ReadContractSuite {

  @BeforeEach
  void connect(RedisServer server) {
    setUp(TestFleet.TestRedis.of(server));
  }

  @Override
  boolean runsL1Only() {
    return true;
  }
}
