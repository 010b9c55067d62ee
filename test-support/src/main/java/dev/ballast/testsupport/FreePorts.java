package dev.ballast.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Picks a loopback port that is free right now. Another process may take it before redis-server binds it;
 * {@link LocalRedisServer} notices and asks again.
 */
final class FreePorts {

  /** Redis 6.2 always puts a cluster node's bus on its port + 10000 ({@code cluster-port} is 7.0+). */
  static final int CLUSTER_BUS_OFFSET = 10000;

  private static final int BUS_RANGE_LOW = 20000;
  private static final int BUS_RANGE_HIGH = 45000;
  private static final int BUS_ATTEMPTS = 200;

  private FreePorts() {}

  /**
   * Picks a port that is free now and whose cluster bus port ({@code + 10000}) is free too, at random
   * below the ephemeral range so that the bus port exists (an ephemeral port + 10000 may pass 65535) and
   * parallel forks rarely pick the same one; a collision is still caught by the launch retry.
   */
  static int pickWithBus() {
    for (int attempt = 0; attempt < BUS_ATTEMPTS; attempt++) {
      int port = ThreadLocalRandom.current().nextInt(BUS_RANGE_LOW, BUS_RANGE_HIGH);
      if (isFree(port) && isFree(port + CLUSTER_BUS_OFFSET)) {
        return port;
      }
    }
    throw new IllegalStateException(
        "found no free port pair (p, p + " + CLUSTER_BUS_OFFSET + ") in " + BUS_RANGE_LOW + ".."
            + BUS_RANGE_HIGH + " after " + BUS_ATTEMPTS + " tries");
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName(LocalRedisServer.HOST))) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  static int pick() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LocalRedisServer.HOST))) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port on " + LocalRedisServer.HOST, e);
    }
  }
}
