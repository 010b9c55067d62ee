package dev.ballast.core;

import dev.ballast.core.internal.Check;
import java.time.Duration;

/**
 * The settings of a {@link Bulkhead}, validated at construction.
 *
 * @param name names the bulkhead in metrics, messages and the registry
 * @param maxConcurrentCalls how many calls may run at once (at least 1)
 * @param maxWait how long a call may wait for a free slot (a synchronous one on its thread, an asynchronous
 *     one in a queue, holding no thread); zero refuses at once
 * @param maxWaitingCalls how many asynchronous calls may wait in the queue at once (at least 0); one more
 *     is refused at once. {@link Bulkhead.Builder#maxWaitingCalls} explains the default
 */
public record BulkheadConfig(String name, int maxConcurrentCalls, Duration maxWait, int maxWaitingCalls) {

  /**
   * @throws IllegalArgumentException naming the first invalid field
   * @throws NullPointerException if {@code name} or {@code maxWait} is null
   */
  public BulkheadConfig {
    Check.notBlank(name, "Bulkhead.name");
    Check.atLeast(maxConcurrentCalls, 1, "Bulkhead.maxConcurrentCalls");
    Check.notNegative(maxWait, "Bulkhead.maxWait");
    Check.atLeast(maxWaitingCalls, 0, "Bulkhead.maxWaitingCalls");
  }
}
