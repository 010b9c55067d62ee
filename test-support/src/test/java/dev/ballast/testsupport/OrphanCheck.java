package dev.ballast.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Run in a child JVM by {@link ShutdownHookTest}: launches two servers, pauses one, writes their pids to
 * the file named by its argument and exits without closing either.
 */
final class OrphanCheck {

  private OrphanCheck() {}

  public static void main(String[] args) throws IOException {
    LocalRedisServer running = (LocalRedisServer) RedisServer.launch();
    LocalRedisServer paused = (LocalRedisServer) RedisServer.launch();
    paused.pause();
    Files.write(Path.of(args[0]), List.of(Long.toString(running.pid()), Long.toString(paused.pid())));
    System.exit(0);
  }
}
