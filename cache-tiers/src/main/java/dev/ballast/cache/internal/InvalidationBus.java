package dev.ballast.cache.internal;

import dev.ballast.core.internal.SharedScheduler;
import dev.ballast.redis.internal.port.RedisPort;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisConnectionException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends and receives one cache's invalidations on its Redis channel, and tells the cache when the
 * subscription may have dropped and when it is back (pub/sub is at-most-once: whatever was published
 * meanwhile is lost, so the cache clears its L1 then).
 *
 * <p>The channel is the shared {@link RedisPort}'s: classic pub/sub on one server or Sentinel; on a
 * Redis Cluster sharded pub/sub when every node is 7.0+ (the port moves the subscription to the slot's new
 * owner after a failover) and classic otherwise (pinned to one node: back when that node is).
 *
 * <p>Down and back: the port says when its pub/sub connection drops ({@code onSubscriptionLost}, the same
 * notice the switchboard polls on); beyond it, any connection of the application's client that drops may be
 * the subscription's (a sharded subscription lives on a per-node connection the port does not watch), so
 * either marks the subscription <em>down</em> (not one closed on purpose) (L1 capped at {@code l1TtlWhileDisconnected}). It is back when
 * the port reports a resubscription (messages may have been lost: resync) or when a probe this instance
 * publishes on the channel while down comes back to it (the subscription works after the drop; had it been
 * ours, its resubscription, which the server confirms before any later message, was already reported).
 * The heartbeat sends the probes ({@link #probeIfDown}). A drop of another connection of a shared client
 * costs one resync.
 *
 * <p>Message: 16 ASCII bytes of instance id, then {@code 'A'} (evict all), {@code 'P'} and a decimal
 * epoch (a probe), or {@code 'K'} followed by keys, each as a 4-byte length and the key codec's bytes. An
 * instance drops its own messages except its probes.
 *
 * <p>A message Redis does not take (down, slow, refusing) is handed back to the receiver
 * ({@link Receiver#notSent}), which keeps it for replay: pub/sub loses what was not published, so the
 * sender must remember it.
 *
 * <p>Shared state: the queue of keys waiting for the batch window (lock-free queue) and a flag saying a
 * flush is scheduled (CAS; cleared before draining, so a key added during a drain schedules the next one);
 * the down flag and the probe epoch (one packed atomic: a drop bumps the epoch, so a probe sent before it
 * cannot end it). Port callbacks run on Lettuce's event loop and only call the receiver, which is
 * thread-safe.
 */
final class InvalidationBus implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(InvalidationBus.class);
  private static final int ID_LENGTH = 16;
  private static final int MAX_MESSAGE = 64 * 1024;

  /** What the cache does on what the bus hears. */
  interface Receiver {
    void evict(byte[] key);

    void evictAll();

    void subscriptionLost();

    void subscriptionRestored();

    /** Redis did not take a message naming these keys (codec bytes): they are to be sent again later. */
    void notSent(List<byte[]> keys);

    /** Redis did not take an "evict all" message. */
    void notSentAll();
  }

  private final RedisConnector connector;
  private final RedisTier tier;
  private final byte[] channel;
  private final String channelName;
  private final byte[] instanceId;
  private final long batchNanos;
  private final Receiver receiver;
  private final CacheMeters meters;
  private final ConcurrentLinkedQueue<byte[]> pending = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean flushScheduled = new AtomicBoolean();
  /**
   * The probe epoch and the down flag, packed ({@code epoch << 1 | down}) so that one CAS sees both: a probe
   * that returns ends exactly the down state it was sent for, never one a newer drop started meanwhile.
   */
  private final AtomicLong downState = new AtomicLong();
  private final RedisPort port;
  /** Set by {@link #open} right after construction, before the bus is handed out. */
  private RedisPort.Subscription subscription;
  private final RedisConnectionStateListener stateListener;

  /**
   * Opens the port and subscribes, waiting at most {@code timeoutNanos} for the server's confirmation.
   *
   * @throws RuntimeException if Redis cannot be reached or does not confirm in time (nothing is left open)
   */
  static InvalidationBus open(RedisConnector connector, RedisTier tier, String channel, long batchNanos,
      Receiver receiver, CacheMeters meters, long timeoutNanos) {
    RedisPort port = connector.openPort();
    try {
      InvalidationBus bus = new InvalidationBus(connector, port, tier, channel, batchNanos, receiver, meters);
      bus.subscribe(timeoutNanos); // after construction: the port's callbacks reach a fully built bus
      return bus;
    } catch (RuntimeException e) {
      port.close();
      throw e;
    }
  }

  private InvalidationBus(RedisConnector connector, RedisPort port, RedisTier tier, String channel, long batchNanos,
      Receiver receiver, CacheMeters meters) {
    this.connector = connector;
    this.port = port;
    this.tier = tier;
    this.channelName = channel;
    this.channel = channel.getBytes(StandardCharsets.UTF_8);
    byte[] random = new byte[ID_LENGTH / 2];
    new SecureRandom().nextBytes(random);
    this.instanceId = HexFormat.of().formatHex(random).getBytes(StandardCharsets.US_ASCII);
    this.batchNanos = batchNanos;
    this.receiver = receiver;
    this.meters = meters;
    this.stateListener = new RedisConnectionStateListener() {
      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
        if (!connection.isClosed()) { // a close is not a drop (another cache closing its connections)
          lost();
        }
      }
    };
  }

  private void subscribe(long timeoutNanos) {
    RedisPort.Subscription opened = port.subscribe(channel, new RedisPort.Listener() {
      @Override
      public void onMessage(byte[] message) {
        InvalidationBus.this.onMessage(message);
      }

      @Override
      public void onResubscribed() {
        restored("resubscribed");
      }

      @Override
      public void onSubscriptionLost() {
        lost(); // the port's own word; the client-wide listener below also covers sharded node connections
      }
    });
    subscription = opened;
    try {
      opened.confirmed().toCompletableFuture().get(Math.max(timeoutNanos, TimeUnit.SECONDS.toNanos(1)),
          TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RedisConnectionException("interrupted while subscribing to " + channelName);
    } catch (ExecutionException | TimeoutException e) {
      throw new RedisConnectionException("could not subscribe to " + channelName, e);
    }
    connector.client().addListener(stateListener);
  }

  /** A connection of the client dropped: it may have been the subscription's, so L1 is capped until proved back. */
  private void lost() {
    long before = downState.getAndUpdate(state -> ((state >>> 1) + 1) << 1 | 1);
    if ((before & 1) == 0) {
      log.warn("A Redis connection of cache channel {} dropped; L1 entries live at most l1TtlWhileDisconnected"
          + " until the invalidation subscription is proved back", channelName);
      receiver.subscriptionLost();
    }
  }

  private void restored(String how) {
    downState.updateAndGet(state -> state & ~1L);
    log.info("Invalidation subscription for {} is back ({}); L1 cleared of what it may have missed", channelName, how);
    receiver.subscriptionRestored();
  }

  /** Whether the subscription may be down (a connection dropped and it has not been proved back). */
  boolean isDown() {
    return (downState.get() & 1) == 1;
  }

  /**
   * While the subscription may be down, publishes a probe to this instance (the heartbeat calls this);
   * its return ends the down state. Never blocks.
   */
  void probeIfDown() {
    long state = downState.get();
    if ((state & 1) == 0) {
      return;
    }
    byte[] message = start('P').toByteArray();
    byte[] n = Long.toString(state >>> 1).getBytes(StandardCharsets.US_ASCII);
    byte[] probe = ByteBuffer.allocate(message.length + n.length).put(message).put(n).array();
    tier.publish(() -> port.publish(channel, probe), true);
  }

  /** Sends the key's invalidation now, or within the batch window; a message Redis does not take is reported. */
  void send(byte[] key) {
    meters.invalidationsSent.increment();
    if (batchNanos == 0) {
      publish(List.of(key), false);
      return;
    }
    pending.add(key);
    if (flushScheduled.compareAndSet(false, true)) {
      SharedScheduler.get().schedule(this::flush, batchNanos, TimeUnit.NANOSECONDS);
    }
  }

  /** Tells every other instance to clear its L1; the stage says whether Redis took the message. */
  CompletionStage<Boolean> sendAll(boolean replaying) {
    ByteBuffer buffer = ByteBuffer.allocate(ID_LENGTH + 1).put(instanceId).put((byte) 'A');
    byte[] message = buffer.array();
    return tier.publish(() -> port.publish(channel, message), replaying).thenApply(sent -> {
      if (!sent) {
        receiver.notSentAll();
      }
      return sent;
    });
  }

  /**
   * Sends these keys' invalidations now, in as few messages as fit; the stage completes with whether
   * Redis took every one (a message it did not take is also reported to the receiver). {@code replaying}:
   * sent directly, not through the breaker ({@link RedisTier#publish}).
   */
  CompletionStage<Boolean> sendNow(List<byte[]> keys, boolean replaying) {
    CompletableFuture<Boolean> all = CompletableFuture.completedFuture(Boolean.TRUE);
    List<byte[]> batch = new ArrayList<>();
    int size = 0;
    for (byte[] key : keys) {
      batch.add(key);
      size += key.length + 4;
      if (size > MAX_MESSAGE) {
        all = all.thenCombine(publish(batch, replaying), Boolean::logicalAnd);
        batch = new ArrayList<>();
        size = 0;
      }
    }
    if (!batch.isEmpty()) {
      all = all.thenCombine(publish(batch, replaying), Boolean::logicalAnd);
    }
    return all;
  }

  private void flush() {
    flushScheduled.set(false);
    List<byte[]> keys = new ArrayList<>();
    for (byte[] key; (key = pending.poll()) != null; ) {
      keys.add(key);
    }
    if (!keys.isEmpty()) {
      sendNow(keys, false);
    }
  }

  /** One message naming {@code keys}; those it fails to deliver to Redis go back to the receiver. */
  private CompletableFuture<Boolean> publish(List<byte[]> keys, boolean replaying) {
    byte[] message = message(keys);
    return tier.publish(() -> port.publish(channel, message), replaying).thenApply(sent -> {
      if (!sent) {
        receiver.notSent(keys);
      }
      return sent;
    }).toCompletableFuture();
  }

  private ByteArrayOutputStream start(char kind) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(instanceId);
    out.write(kind);
    return out;
  }

  private byte[] message(List<byte[]> keys) {
    ByteArrayOutputStream out = start('K');
    for (byte[] key : keys) {
      out.writeBytes(ByteBuffer.allocate(4).putInt(key.length).array());
      out.writeBytes(key);
    }
    return out.toByteArray();
  }

  private void onMessage(byte[] message) {
    if (message.length < ID_LENGTH + 1) {
      return;
    }
    boolean own = true;
    for (int i = 0; i < ID_LENGTH; i++) {
      if (message[i] != instanceId[i]) {
        own = false;
        break;
      }
    }
    if (message[ID_LENGTH] == 'P') {
      long sentFor = probeEpoch(message) << 1 | 1; // down, at the epoch the probe was sent in
      if (own && downState.get() == sentFor && downState.compareAndSet(sentFor, sentFor & ~1L)) {
        restored("probe returned");
      }
      return;
    }
    if (own) {
      return;
    }
    if (message[ID_LENGTH] == 'A') {
      meters.invalidationsReceived.increment();
      receiver.evictAll();
      return;
    }
    ByteBuffer buffer = ByteBuffer.wrap(message, ID_LENGTH + 1, message.length - ID_LENGTH - 1);
    while (buffer.remaining() >= 4) {
      int length = buffer.getInt();
      if (length < 0 || length > buffer.remaining()) {
        // A message we cannot read may have named any key: only clearing everything stays correct.
        receiver.evictAll();
        return;
      }
      byte[] key = new byte[length];
      buffer.get(key);
      meters.invalidationsReceived.increment();
      receiver.evict(key);
    }
  }

  private static long probeEpoch(byte[] message) {
    try {
      return Long.parseLong(new String(message, ID_LENGTH + 1, message.length - ID_LENGTH - 1,
          StandardCharsets.US_ASCII));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  @Override
  public void close() {
    flush();
    connector.client().removeListener(stateListener);
    if (subscription != null) {
      subscription.close();
    }
    port.close();
  }
}
