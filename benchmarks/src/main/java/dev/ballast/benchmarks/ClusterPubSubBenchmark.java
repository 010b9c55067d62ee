package dev.ballast.benchmarks;

import dev.ballast.redis.internal.port.RedisPort;
import dev.ballast.testsupport.RedisCluster;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.RedisClusterClient;
import io.lettuce.core.cluster.SlotHash;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Delivery latency of one pub/sub message on a local Redis Cluster (3 masters + 3 replicas from
 * test-support; the {@code redis-server} on {@code PATH}, 7.x for sharded pub/sub), from the publish call
 * until the subscriber's listener has it (sampled, for p99):
 *
 * <ul>
 *   <li>{@code publish-same-node}: raw Lettuce, PUBLISH on the node the subscriber is connected to (floor);
 *   <li>{@code publish-other-node}: raw Lettuce, PUBLISH on another master: the message crosses the
 *       cluster bus (classic pub/sub broadcasts every message to every node);
 *   <li>{@code spublish}: raw Lettuce cluster client, SPUBLISH/SSUBSCRIBE, both on the channel's shard;
 *   <li>{@code port-classic}, {@code port-sharded}: Ballast's {@link RedisPort} in each mode.
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class ClusterPubSubBenchmark {

  @Param({"publish-same-node", "publish-other-node", "spublish", "port-classic", "port-sharded"})
  public String contender;

  private static final byte[] CHANNEL = "bench-channel".getBytes(StandardCharsets.UTF_8);
  private static final byte[] MESSAGE = "invalidate:key".getBytes(StandardCharsets.UTF_8);

  private final BlockingQueue<byte[]> received = new ArrayBlockingQueue<>(16);
  private RedisCluster cluster;
  private RedisClient subscriberClient;
  private RedisClient publisherClient;
  private RedisClusterClient clusterClient;
  private StatefulRedisPubSubConnection<byte[], byte[]> subscriber;
  private StatefulRedisConnection<byte[], byte[]> publisher;
  private RedisPort subscriberPort;
  private RedisPort publisherPort;
  private Runnable publish;

  @Setup
  public void setUp() {
    cluster = RedisCluster.launch();
    RedisServer shard = cluster.masterForSlot(SlotHash.getSlot(CHANNEL));
    RedisServer other = cluster.masters().stream().filter(m -> !m.equals(shard)).findFirst().orElseThrow();
    switch (contender) {
      case "publish-same-node", "publish-other-node" -> {
        subscriberClient = shard.newClient();
        subscriber = subscriberClient.connectPubSub(ByteArrayCodec.INSTANCE);
        subscriber.addListener(new RedisPubSubAdapter<>() {
          @Override
          public void message(byte[] channel, byte[] message) {
            received.offer(message);
          }
        });
        subscriber.sync().subscribe(CHANNEL);
        publisherClient = (contender.equals("publish-same-node") ? shard : other).newClient();
        publisher = publisherClient.connect(ByteArrayCodec.INSTANCE);
        publish = () -> publisher.async().publish(CHANNEL, MESSAGE);
      }
      case "spublish" -> {
        clusterClient = cluster.newClient();
        var pubSub = clusterClient.connectPubSub(ByteArrayCodec.INSTANCE);
        pubSub.setNodeMessagePropagation(true);
        pubSub.addListener(new RedisPubSubAdapter<>() {
          @Override
          public void smessage(byte[] channel, byte[] message) {
            received.offer(message);
          }
        });
        pubSub.sync().ssubscribe(CHANNEL);
        subscriber = pubSub;
        var connection = clusterClient.connect(ByteArrayCodec.INSTANCE);
        publish = () -> connection.async().spublish(CHANNEL, MESSAGE);
      }
      case "port-classic", "port-sharded" -> {
        RedisPort.PubSubMode mode =
            contender.equals("port-classic") ? RedisPort.PubSubMode.CLASSIC : RedisPort.PubSubMode.SHARDED;
        clusterClient = cluster.newClient();
        subscriberPort = RedisPort.open(clusterClient, mode);
        publisherPort = RedisPort.open(clusterClient, mode);
        subscriberPort.subscribe(CHANNEL, new RedisPort.Listener() {
          @Override
          public void onMessage(byte[] message) {
            received.offer(message);
          }

          @Override
          public void onResubscribed() {}
        }).confirmed().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
        publish = () -> publisherPort.publish(CHANNEL, MESSAGE);
      }
      default -> throw new IllegalArgumentException("unknown contender " + contender);
    }
  }

  @Benchmark
  public byte[] deliver() throws InterruptedException {
    publish.run();
    byte[] message = received.poll(5, TimeUnit.SECONDS);
    if (message == null) {
      throw new IllegalStateException(contender + ": no message within 5 s");
    }
    return message;
  }

  @TearDown
  public void tearDown() {
    if (subscriberPort != null) {
      subscriberPort.close();
      publisherPort.close();
    }
    if (subscriber != null) {
      subscriber.close();
    }
    if (publisher != null) {
      publisher.close();
    }
    for (AutoCloseable c : new AutoCloseable[] {subscriberClient, publisherClient}) {
      if (c != null) {
        ((RedisClient) c).shutdown();
      }
    }
    if (clusterClient != null) {
      clusterClient.shutdown();
    }
    cluster.close();
  }
}
