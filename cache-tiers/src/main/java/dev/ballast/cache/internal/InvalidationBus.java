package dev.ballast.cache.internal;

import dev.ballast.core.internal.SharedScheduler;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends and receives one cache's invalidations on its Redis channel, and tells the cache when the
 * subscription drops and comes back (pub/sub is at-most-once: whatever was published meanwhile is lost,
 * so the cache clears its L1 then).
 *
 * <p>Message: 16 ASCII bytes of instance id, then {@code 'A'} (evict all) or {@code 'K'} followed by
 * keys, each as a 4-byte length and the key codec's bytes. An instance drops its own messages.
 *
 * <p>A message Redis does not take (down, slow, refusing) is handed back to the receiver
 * ({@link Receiver#notSent}), which keeps it for replay: pub/sub loses what was not published, so the
 * sender must remember it.
 *
 * <p>Shared state: the queue of keys waiting for the batch window (lock-free queue) and a flag saying a
 * flush is scheduled (CAS; cleared before draining, so a key added during a drain schedules the next one).
 * Listener callbacks run on Lettuce's event loop and only call the receiver, which is thread-safe.
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

  private final RedisClient client;
  private final RedisTier tier;
  private final byte[] channel;
  private final byte[] instanceId;
  private final long batchNanos;
  private final Receiver receiver;
  private final CacheMeters meters;
  private final ConcurrentLinkedQueue<byte[]> pending = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean flushScheduled = new AtomicBoolean();
  private final AtomicBoolean subscribedOnce = new AtomicBoolean();
  private final StatefulRedisPubSubConnection<byte[], byte[]> pubsub;
  private final RedisConnectionStateListener stateListener;

  InvalidationBus(RedisClient client, RedisTier tier, String channel, long batchNanos, Receiver receiver,
      CacheMeters meters) {
    this.client = client;
    this.tier = tier;
    this.channel = channel.getBytes(StandardCharsets.UTF_8);
    byte[] random = new byte[ID_LENGTH / 2];
    new SecureRandom().nextBytes(random);
    this.instanceId = HexFormat.of().formatHex(random).getBytes(StandardCharsets.US_ASCII);
    this.batchNanos = batchNanos;
    this.receiver = receiver;
    this.meters = meters;
    this.pubsub = client.connectPubSub(ByteArrayCodec.INSTANCE);
    this.stateListener = new RedisConnectionStateListener() {
      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
        if (connection == pubsub) {
          log.warn("Invalidation subscription for {} lost; L1 entries live at most l1TtlWhileDisconnected"
              + " until it is back", channel);
          receiver.subscriptionLost();
        }
      }
    };
    client.addListener(stateListener);
    pubsub.addListener(new RedisPubSubAdapter<>() {
      @Override
      public void message(byte[] from, byte[] message) {
        onMessage(message);
      }

      @Override
      public void subscribed(byte[] from, long count) {
        // The first confirmation is our own SUBSCRIBE; later ones are Lettuce re-subscribing after a reconnect.
        if (!subscribedOnce.compareAndSet(false, true)) {
          log.info("Invalidation subscription for {} is back; L1 cleared of what it may have missed", channel);
          receiver.subscriptionRestored();
        }
      }
    });
    try {
      pubsub.sync().subscribe(this.channel);
    } catch (RuntimeException e) {
      client.removeListener(stateListener);
      pubsub.close();
      throw e;
    }
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
    return tier.publish(channel, buffer.array(), replaying).thenApply(sent -> {
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
    return tier.publish(channel, message(keys), replaying).thenApply(sent -> {
      if (!sent) {
        receiver.notSent(keys);
      }
      return sent;
    }).toCompletableFuture();
  }

  private ByteArrayOutputStream start() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(instanceId);
    out.write('K');
    return out;
  }

  private byte[] message(List<byte[]> keys) {
    ByteArrayOutputStream out = start();
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

  /** Whether Lettuce currently has the subscription's connection open. */
  boolean isOpen() {
    return pubsub.isOpen();
  }

  @Override
  public void close() {
    flush();
    client.removeListener(stateListener);
    pubsub.close();
  }
}
