package dev.ballast.core;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a breaker's state changes to its listeners and to the log, exactly once each and in the order
 * they happened, without holding any lock while a listener runs.
 *
 * <p>Design: the thread that won a transition's CAS publishes it under the new state's sequence number
 * (consecutive, see {@link BreakerState#seq}) into {@code pending}, then tries to become the drainer by
 * flipping {@code draining}. The drainer delivers {@code pending[next]}, {@code pending[next + 1]}, ...
 * until one is missing (its publisher has not put it yet; that publisher will drain it). After letting
 * go of {@code draining} the drainer looks once more, so an event put while it was finishing is not
 * stranded: the publisher either became the drainer itself or was refused before that last look, which
 * then sees its event. {@code next} is written only by the drainer. A listener that causes a transition
 * while being called does not re-enter delivery; its event follows once the current one is done.
 */
final class BreakerEvents {

  private static final Logger LOG = LoggerFactory.getLogger(CircuitBreaker.class);

  private final List<CircuitBreaker.Listener> listeners = new CopyOnWriteArrayList<>();
  private final ConcurrentHashMap<Long, CircuitBreaker.StateTransition> pending = new ConcurrentHashMap<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  private volatile long next = 1;

  void add(CircuitBreaker.Listener listener) {
    listeners.add(listener);
  }

  /** Publishes the transition that installed the state numbered {@code seq}. */
  void publish(long seq, CircuitBreaker.StateTransition transition) {
    pending.put(seq, transition);
    while (draining.compareAndSet(false, true)) {
      try {
        CircuitBreaker.StateTransition event;
        while ((event = pending.remove(next)) != null) {
          next = next + 1;
          deliver(event);
        }
      } finally {
        draining.set(false);
      }
      if (!pending.containsKey(next)) {
        return;
      }
    }
  }

  private void deliver(CircuitBreaker.StateTransition event) {
    log(event);
    for (CircuitBreaker.Listener listener : listeners) {
      try {
        listener.onStateChange(event);
      } catch (Exception e) {
        LOG.warn("CircuitBreaker '{}': listener {} failed on {} -> {}",
            event.name(), listener, event.from(), event.to(), e);
      }
    }
  }

  private static void log(CircuitBreaker.StateTransition event) {
    CircuitBreaker.State to = event.to();
    if (to == CircuitBreaker.State.OPEN || to == CircuitBreaker.State.FORCED_OPEN) {
      LOG.warn("CircuitBreaker '{}' {} -> {}: {}", event.name(), event.from(), to, event.reason());
    } else {
      LOG.info("CircuitBreaker '{}' {} -> {}: {}", event.name(), event.from(), to, event.reason());
    }
  }
}
