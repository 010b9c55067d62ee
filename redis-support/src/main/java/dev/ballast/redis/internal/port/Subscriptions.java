package dev.ballast.redis.internal.port;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who listens to which channel, and the one rule for resubscribe notices that both ports share: the
 * server confirms a subscription once when it is made; Lettuce re-issues it after every reconnect, so
 * every later confirmation means the connection dropped in between and messages may have been lost.
 *
 * <p>Design note: the channel map is concurrent; each channel's listener list is copy-on-write (read on
 * every message, changed rarely). Confirmations come on the connection's event loop, in order.
 */
final class Subscriptions {

  private static final Logger LOG = LoggerFactory.getLogger(Subscriptions.class);

  /** One channel's listeners and whether the server has confirmed it yet. */
  static final class Channel {
    final List<Entry> entries = new CopyOnWriteArrayList<>();
    volatile boolean confirmedOnce;
  }

  /** One listener and the future completed at its first confirmation. */
  static final class Entry {
    final RedisPort.Listener listener;
    final CompletableFuture<Void> confirmed = new CompletableFuture<>();

    Entry(RedisPort.Listener listener) {
      this.listener = listener;
    }
  }

  private final Map<ByteBuffer, Channel> channels = new ConcurrentHashMap<>();

  /**
   * Adds {@code listener}; runs {@code subscribe} if it is the channel's first. Returns the entry to
   * remove later.
   */
  Entry add(byte[] channel, RedisPort.Listener listener, Consumer<byte[]> subscribe) {
    Entry entry = new Entry(listener);
    boolean[] first = new boolean[1];
    channels.compute(ByteBuffer.wrap(channel.clone()), (key, existing) -> {
      Channel c = existing != null ? existing : new Channel();
      first[0] = existing == null;
      if (!first[0] && c.confirmedOnce) {
        entry.confirmed.complete(null);
      }
      c.entries.add(entry);
      return c;
    });
    if (first[0]) {
      subscribe.accept(channel);
    }
    return entry;
  }

  /** Removes {@code entry}; runs {@code unsubscribe} if the channel has no listener left. */
  void remove(byte[] channel, Entry entry, Consumer<byte[]> unsubscribe) {
    boolean[] last = new boolean[1];
    channels.computeIfPresent(ByteBuffer.wrap(channel), (key, c) -> {
      c.entries.remove(entry);
      last[0] = c.entries.isEmpty();
      return last[0] ? null : c;
    });
    if (last[0]) {
      unsubscribe.accept(channel);
    }
  }

  /** The server confirmed {@code channel}: first time completes the futures, later ones notify resubscribes. */
  void confirmed(byte[] channel) {
    Channel c = channels.get(ByteBuffer.wrap(channel));
    if (c == null) {
      return;
    }
    if (!c.confirmedOnce) {
      c.confirmedOnce = true;
      c.entries.forEach(e -> e.confirmed.complete(null));
      return;
    }
    LOG.debug("Resubscribed to a channel after a reconnect; its listeners resync");
    for (Entry e : c.entries) {
      e.confirmed.complete(null);
      try {
        e.listener.onResubscribed();
      } catch (RuntimeException ex) {
        LOG.warn("A pub/sub listener failed on resubscribe", ex);
      }
    }
  }

  /** The connection holding every subscription dropped: tells every listener. */
  void lost() {
    LOG.debug("The pub/sub connection dropped; listeners are told messages may be lost until resubscribed");
    for (Channel c : channels.values()) {
      for (Entry e : c.entries) {
        try {
          e.listener.onSubscriptionLost();
        } catch (RuntimeException ex) {
          LOG.warn("A pub/sub listener failed on a lost subscription", ex);
        }
      }
    }
  }

  /** Delivers a message to the channel's listeners. */
  void message(byte[] channel, byte[] message) {
    Channel c = channels.get(ByteBuffer.wrap(channel));
    if (c == null) {
      return;
    }
    for (Entry e : c.entries) {
      try {
        e.listener.onMessage(message);
      } catch (RuntimeException ex) {
        LOG.warn("A pub/sub listener failed on a message", ex);
      }
    }
  }

  /** Every channel with listeners, for a port that must subscribe again itself. */
  List<byte[]> channels() {
    return channels.keySet().stream().map(b -> {
      byte[] copy = new byte[b.remaining()];
      b.duplicate().get(copy);
      return copy;
    }).toList();
  }
}
