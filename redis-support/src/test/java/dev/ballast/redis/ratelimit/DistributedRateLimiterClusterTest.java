package dev.ballast.redis.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ballast.core.Rate;
import dev.ballast.core.RateLimiter;
import dev.ballast.core.Registry;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.Configuration;
import dev.ballast.redis.internal.KeyNames;
import dev.ballast.testsupport.RedisCluster;
import dev.ballast.testsupport.RedisClusterExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The limiter on a Redis Cluster: keys spread over the masters, one EVALSHA per acquire, a failover's bound. */
class DistributedRateLimiterClusterTest {

  @RegisterExtension static final RedisClusterExtension extension = RedisClusterExtension.create();
  private static final Logger LOG = LoggerFactory.getLogger(DistributedRateLimiterClusterTest.class);

  @Test
  void manyLimitersSpreadOverEveryMasterAndEachAcquireIsOneEvalsha(RedisCluster cluster) {
    RedisClusterClient client = cluster.newClient();
    List<DistributedRateLimiter> limiters = new ArrayList<>();
    try {
      Set<RedisServer> masters = new HashSet<>();
      for (int i = 0; i < 12; i++) {
        String name = "spread-" + i;
        // A generous Redis timeout: this test counts commands, and a reply a loaded machine delays past the
        // default 250 ms made the limiter fall back (reproduced by pausing a master 300 ms).
        limiters.add(DistributedRateLimiter.builder().name(name).rate(Rate.of(1000, Duration.ofSeconds(1)))
            .redisTimeout(Duration.ofSeconds(10)).redis(client).build());
        byte[] key = KeyNames.base("", "ballast", "limiter", name).getBytes(StandardCharsets.UTF_8);
        masters.add(cluster.masterForSlot(SlotHash.getSlot(key)));
      }
      assertThat(masters).as("the limiters' keys reach every master").hasSize(3);
      limiters.forEach(l -> assertThat(l.tryAcquire()).isTrue()); // loads the script on every master
      cluster.masters().forEach(m -> admin(m, "CONFIG", "RESETSTAT"));

      int acquires = 0;
      for (int round = 0; round < 5; round++) {
        for (DistributedRateLimiter limiter : limiters) {
          assertThat(limiter.tryAcquire()).isTrue();
          acquires++;
        }
      }
      long evalsha = 0;
      long eval = 0;
      for (RedisServer master : cluster.masters()) {
        String stats = admin(master, "INFO", "commandstats");
        evalsha += calls(stats, "cmdstat_evalsha");
        eval += calls(stats, "cmdstat_eval");
      }
      assertThat(evalsha).as("one EVALSHA per acquire").isEqualTo(acquires);
      assertThat(eval).as("no script sent in full").isZero();
      assertThat(limiters).noneMatch(DistributedRateLimiter::isFallingBack);
    } finally {
      limiters.forEach(DistributedRateLimiter::close);
      client.shutdown();
    }
  }

  @Test
  void neverAdmitsMoreThanTheDocumentedBoundAcrossAFailover(RedisCluster cluster) {
    RedisClusterClient one = cluster.newClient();
    RedisClusterClient two = cluster.newClient();
    String name = "failover-" + System.nanoTime();
    byte[] key = KeyNames.base("", "ballast", "limiter", name).getBytes(StandardCharsets.UTF_8);
    try (DistributedRateLimiter drainer = FailoverBound.drainer(name).redis(one).build();
        DistributedRateLimiter a = FailoverBound.limiter(name).redis(one).build();
        DistributedRateLimiter b = FailoverBound.limiter(name).redis(two).build()) {
      int after = FailoverBound.check(drainer, a, b, () -> {
        RedisServer master = cluster.masterForSlot(SlotHash.getSlot(key));
        master.kill();
        cluster.awaitFailoverOf(master);
      });
      LOG.info("Cluster failover: {} permits granted after the kill (burst {})", after, FailoverBound.BURST);
    } finally {
      one.shutdown();
      two.shutdown();
    }
  }

  @Test
  void configurationBuildsAFleetLimiterOnAClusterClientResource(RedisCluster cluster) throws Exception {
    RedisClusterClient client = cluster.newClient();
    // A generous redisTimeout: a reply a loaded machine delayed past the default 250 ms made the third
    // acquire fall back to the local share and be granted (reproduced by pausing the master 400 ms).
    String yaml = """
        rateLimiters:
          quotes: { rate: 1/h burst 2, scope: fleet, redisTimeout: 5s }
        """;
    ConfigContext context = ConfigContext.builder().resource("redis", client).build();
    try (Registry first = Configuration.parse(yaml, "fleet.yaml").buildRegistry(context);
        Registry second = Configuration.parse(yaml, "fleet.yaml").buildRegistry(context)) {
      RateLimiter one = first.get("quotes", RateLimiter.class);
      RateLimiter two = second.get("quotes", RateLimiter.class);
      assertThat(one).isInstanceOf(DistributedRateLimiter.class);
      assertThat(one.tryAcquire()).isTrue();
      assertThat(two.tryAcquire()).isTrue();
      assertThat(one.tryAcquire()).as("the two registries share one bucket of 2").isFalse();
      assertThat(((DistributedRateLimiter) two).isFallingBack()).isFalse();
    } finally {
      client.shutdown();
    }
  }

  private static String admin(RedisServer node, String... command) {
    try (RedisClient direct = node.newClient(); StatefulRedisConnection<String, String> c = direct.connect()) {
      if (command[0].equals("CONFIG")) {
        c.sync().configResetstat();
        return "OK";
      }
      return c.sync().info(command[1]);
    }
  }

  private static long calls(String stats, String command) {
    for (String line : stats.split("\r?\n")) {
      if (line.startsWith(command + ":calls=")) {
        String rest = line.substring(command.length() + ":calls=".length());
        return Long.parseLong(rest.substring(0, rest.indexOf(',')));
      }
    }
    return 0;
  }
}
