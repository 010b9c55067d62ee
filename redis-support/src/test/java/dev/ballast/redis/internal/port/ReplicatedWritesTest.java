package dev.ballast.redis.internal.port;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.redis.RedisScript;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link RedisPort#evalAndWait} on a server without replicas, where every {@code WAIT 1} blocks for its
 * whole timeout: the calls wait side by side on connections of their own, at most {@link
 * ReplicatedWrites#MAX_LANES} at once, the rest take the next connection released, and closing the port
 * closes them all. Which clients are blocked in {@code WAIT} is read from {@code CLIENT LIST}.
 */
class ReplicatedWritesTest {

  @RegisterExtension static final RedisExtension REDIS = RedisExtension.dedicated();

  private static final RedisScript INCR = RedisScript.of("incr", "return redis.call('INCR', KEYS[1])");
  /** Long enough that all 16 connects are done before the first WAIT ends, even on a loaded machine. */
  private static final Duration WAIT_TIMEOUT = Duration.ofSeconds(4);

  @Test
  void atMostSixteenCallsWaitAtOnceAndTheRestTakeTheNextFreeConnection(RedisServer server) throws Exception {
    int calls = ReplicatedWrites.MAX_LANES + 4;
    RedisURI uri = RedisURI.create(server.uri());
    uri.setTimeout(Duration.ofSeconds(20)); // above WAIT_TIMEOUT: Lettuce must not time the WAITs out
    RedisClient client = RedisClient.create(uri);
    client.setOptions(ClientOptions.builder().timeoutOptions(TimeoutOptions.enabled()).build());
    try (StatefulRedisConnection<String, String> admin = client.connect()) {
      long clientsBefore = clients(admin);
      byte[][] counter = {"lanes".getBytes(UTF_8)};
      List<CompletableFuture<RedisPort.Replicated<Long>>> replies = new ArrayList<>();
      try (RedisPort port = RedisPort.open(client)) {
        for (int i = 0; i < calls; i++) {
          replies.add(port.<Long>evalAndWait(INCR, ScriptOutputType.INTEGER, counter, 1, WAIT_TIMEOUT)
              .toCompletableFuture());
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> blockedInWait(admin) == ReplicatedWrites.MAX_LANES);
        assertThat(replies).filteredOn(CompletableFuture::isDone).as("calls done while the first WAITs block").isEmpty();

        List<Long> values = new ArrayList<>();
        for (CompletableFuture<RedisPort.Replicated<Long>> reply : replies) {
          RedisPort.Replicated<Long> done = reply.get(20, TimeUnit.SECONDS);
          assertThat(done.replicas()).isZero();
          values.add(done.reply());
        }
        assertThat(values).as("every script ran once").containsExactlyInAnyOrderElementsOf(
            java.util.stream.LongStream.rangeClosed(1, calls).boxed().toList());
        assertThat(clients(admin) - clientsBefore).as("the port's data connection and its lanes")
            .isEqualTo(1 + ReplicatedWrites.MAX_LANES);
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> clients(admin) == clientsBefore);
    } finally {
      client.shutdown();
    }
  }

  private static long blockedInWait(StatefulRedisConnection<String, String> admin) {
    return admin.sync().clientList().lines().filter(line -> line.contains(" cmd=wait ")).count();
  }

  private static long clients(StatefulRedisConnection<String, String> admin) {
    return admin.sync().clientList().lines().filter(line -> !line.isBlank()).count();
  }
}
