package dev.ballast.core;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
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

  /** At most one WARN for automatic openings of one breaker per this interval. */
  static final long OPEN_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final long NEVER = Long.MIN_VALUE;

  private final Ticker ticker;
  /** Log state, touched by the drainer only. */
  private long lastOpenLogged = NEVER;
  private int openingsNotLogged;
  /** The latest opening was not logged: its half-open and closed lines are left out too. */
  private boolean quiet;
  private final List<CircuitBreaker.Listener> listeners = new CopyOnWriteArrayList<>();
  private final ConcurrentHashMap<Long, CircuitBreaker.StateTransition> pending = new ConcurrentHashMap<>();
  private final AtomicBoolean draining = new AtomicBoolean();
  private volatile long next = 1;

  BreakerEvents(Ticker ticker) {
    this.ticker = ticker;
  }

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

  /**
   * Logs a transition: an opening at WARN, everything else at INFO, an operator's action always. A
   * flapping breaker must not flood the log, so automatic openings of this breaker log at most one WARN per
   * {@link #OPEN_LOG_INTERVAL_NANOS}; the next WARN counts those not logged. The half-open and closed lines
   * that follow an opening not logged are left out too (at DEBUG), so a flap costs nothing in the log; the
   * log may then lag the breaker by up to that interval (listeners, meters and {@code state()} do not).
   * Runs on the drainer only, one event at a time, so the fields need no further guard.
   */
  private void log(CircuitBreaker.StateTransition event) {
    CircuitBreaker.State to = event.to();
    CircuitBreaker.State from = event.from();
    if (to == CircuitBreaker.State.OPEN) {
      long now = ticker.read();
      if (lastOpenLogged != NEVER && now - lastOpenLogged < OPEN_LOG_INTERVAL_NANOS) {
        openingsNotLogged++;
        quiet = true;
        LOG.debug("CircuitBreaker '{}' {} -> {}: {}", event.name(), from, to, event.reason());
        return;
      }
      lastOpenLogged = now;
      quiet = false;
      if (openingsNotLogged > 0) {
        LOG.warn("CircuitBreaker '{}' {} -> {}: {} ({} more openings not logged in the last {} s)", event.name(),
            from, to, event.reason(), openingsNotLogged, TimeUnit.NANOSECONDS.toSeconds(OPEN_LOG_INTERVAL_NANOS));
        openingsNotLogged = 0;
      } else {
        LOG.warn("CircuitBreaker '{}' {} -> {}: {}", event.name(), from, to, event.reason());
      }
    } else if (to == CircuitBreaker.State.FORCED_OPEN) {
      quiet = false; // an operator's action is always worth its line, and so is what follows it
      LOG.warn("CircuitBreaker '{}' {} -> {}: {}", event.name(), from, to, event.reason());
    } else if (quiet && from != CircuitBreaker.State.FORCED_OPEN && from != CircuitBreaker.State.DISABLED) {
      LOG.debug("CircuitBreaker '{}' {} -> {}: {}", event.name(), from, to, event.reason());
    } else {
      quiet = false;
      LOG.info("CircuitBreaker '{}' {} -> {}: {}", event.name(), from, to, event.reason());
    }
  }
}
