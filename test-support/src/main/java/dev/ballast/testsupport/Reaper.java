package dev.ballast.testsupport;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kills, from a JVM shutdown hook, every server still running, so that a test run that forgets to close a
 * server (or dies of an exception) leaves no {@code redis-server} behind. A JVM killed with {@code
 * SIGKILL} runs no hooks; nothing in-process can help there.
 */
final class Reaper {

  private static final Set<LocalRedisServer> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(Reaper::reapAll, "ballast-redis-reaper"));
  }

  private Reaper() {}

  static void track(LocalRedisServer server) {
    LIVE.add(server);
  }

  static void untrack(LocalRedisServer server) {
    LIVE.remove(server);
  }

  private static void reapAll() {
    LIVE.forEach(LocalRedisServer::killNow);
  }
}
