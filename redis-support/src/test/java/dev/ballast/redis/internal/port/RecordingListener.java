package dev.ballast.redis.internal.port;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/** Records what a port delivers, for tests to poll with a deadline. */
final class RecordingListener implements RedisPort.Listener {

  final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
  final AtomicInteger resubscribes = new AtomicInteger();
  final AtomicInteger losses = new AtomicInteger();

  @Override
  public void onMessage(byte[] message) {
    messages.add(new String(message, StandardCharsets.UTF_8));
  }

  @Override
  public void onResubscribed() {
    resubscribes.incrementAndGet();
  }

  @Override
  public void onSubscriptionLost() {
    losses.incrementAndGet();
  }
}
