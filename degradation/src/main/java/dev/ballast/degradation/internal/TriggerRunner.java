package dev.ballast.degradation.internal;

import dev.ballast.core.Ticker;
import dev.ballast.core.internal.Check;
import dev.ballast.degradation.Switchboard;
import dev.ballast.degradation.Trigger;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Evaluates the triggers: reads each signal once, steps its {@link Hysteresis}, and turns a flip into an
 * entry (engaged) or its removal (disengaged), local or fleet-wide by the trigger's scope.
 *
 * <p>Design: {@link #evaluate()} runs under this object's monitor, because the hysteresis state machines
 * are not thread-safe. Renewals run on another thread and never take that monitor (an evaluation may be
 * slow: it reads every signal and writes every flip): a fleet trigger's flip (its {@code engaged} entry
 * and the write to Redis) and a renewal (reading every {@code engaged} entry and the one renewal call) are
 * serialized by {@code fleetLock} instead, so a renewal cannot overtake a disengagement and bring its entry
 * back. The lock is fair and taken once per flip, so a renewal waits for at most one write in flight,
 * whatever else the evaluation does. Every wait for it is bounded by the Redis timeout (the longest a
 * holder's one Redis call takes) and honours interruption: a renewal that cannot get it skips its turn,
 * a flip writes anyway (logged), {@code close} withdraws what it sees.
 */
final class TriggerRunner {

  private static final Logger log = LoggerFactory.getLogger(Switchboard.class);

  private final String board;
  private final String instanceId;
  private final Ticker ticker;
  private final Clock clock;
  private final List<Armed> triggers = new ArrayList<>();
  private final BiConsumer<String, Entry> local;
  private final Consumer<Op> fleet;
  private final Supplier<String> clocks;
  private final long lockWaitNanos;
  private final ReentrantLock fleetLock = new ReentrantLock(true);

  private static final class Armed {
    final Trigger trigger;
    final Hysteresis hysteresis;
    final String field;
    volatile Op engaged; // the write made when it engaged, renewed as is; null while disengaged

    Armed(Trigger trigger, String instanceId) {
      this.trigger = trigger;
      this.hysteresis = new Hysteresis(trigger.enterThreshold(), trigger.exitThreshold(),
          Check.saturatedNanos(trigger.minDwell()));
      // Fleet entries are per instance, so one instance recovering does not undo another's engagement.
      this.field = Entry.AUTO + trigger.name() + (trigger.scope() == Trigger.Scope.FLEET ? "@" + instanceId : "");
    }
  }

  /**
   * @param local applies a local trigger's entry (null to remove it)
   * @param fleet writes a fleet trigger's entry (a null entry removes it)
   * @param clocks stamps each fleet change ({@link Hlc})
   */
  TriggerRunner(BoardConfig config, Ticker ticker, Clock clock, BiConsumer<String, Entry> local,
      Consumer<Op> fleet, Supplier<String> clocks) {
    this.board = config.name();
    this.instanceId = config.instanceId();
    this.ticker = ticker;
    this.clock = clock;
    this.local = local;
    this.fleet = fleet;
    this.clocks = clocks;
    this.lockWaitNanos = config.redisTimeout().toNanos();
    config.triggers().forEach(t -> triggers.add(new Armed(t, instanceId)));
  }

  boolean isEmpty() {
    return triggers.isEmpty();
  }

  synchronized void evaluate() {
    long now = ticker.read();
    for (Armed armed : triggers) {
      double value;
      try {
        value = armed.trigger.signal().read();
      } catch (RuntimeException e) {
        value = Double.NaN; // a broken signal has no opinion; it must not stop the other triggers
      }
      if (armed.hysteresis.step(now, value)) {
        flip(armed, value);
      }
    }
  }

  private void flip(Armed armed, double value) {
    Trigger trigger = armed.trigger;
    boolean engaged = armed.hysteresis.engaged();
    String why = String.format(Locale.ROOT, "%s %.3f %s %s %.3f", trigger.signal().description(), value,
        engaged ? ">=" : "<=", engaged ? "enter" : "exit", engaged ? trigger.enterThreshold() : trigger.exitThreshold());
    log.info("switchboard {}: trigger {} {} ({}, {})", board, trigger.name(), engaged ? "engaged" : "disengaged", why,
        trigger.scope());
    Entry entry = engaged
        ? new Entry(armed.field, clock.millis(), "trigger:" + trigger.name() + "@" + instanceId, why, trigger.settings())
        : null;
    if (trigger.scope() == Trigger.Scope.LOCAL) {
      armed.engaged = entry == null ? null : new Op(armed.field, entry, "");
      local.accept(armed.field, entry);
      return;
    }
    // The holder is a renewal, done within one Redis call: twice that is ample. Past it (or interrupted:
    // the switchboard is closing) the flip is written anyway, so it is never lost.
    boolean locked = lock(2 * lockWaitNanos);
    if (!locked && !Thread.currentThread().isInterrupted()) {
      log.warn("switchboard {}: trigger {} is written without waiting longer for a lease renewal", board,
          trigger.name());
    }
    try {
      Op op = new Op(armed.field, entry, clocks.get());
      armed.engaged = entry == null ? null : op;
      fleet.accept(op);
    } finally {
      if (locked) {
        fleetLock.unlock();
      }
    }
  }

  /** Takes {@code fleetLock}, waiting at most {@code nanos}; false if not taken (interrupted: flag kept). */
  private boolean lock(long nanos) {
    try {
      return fleetLock.tryLock(nanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** The fields of this instance's engaged fleet triggers, to withdraw on close. */
  List<String> engagedFleetFields() {
    boolean locked = lock(lockWaitNanos); // a flip in flight finishes first, if it does so in time
    try {
      List<String> fields = new ArrayList<>();
      for (Armed armed : triggers) {
        if (armed.trigger.scope() == Trigger.Scope.FLEET && armed.engaged != null) {
          fields.add(armed.field);
        }
      }
      return fields;
    } finally {
      if (locked) {
        fleetLock.unlock();
      }
    }
  }

  /**
   * Hands every engaged fleet trigger's entry (field to entry) to {@code renew} at once, under {@code
   * fleetLock}: a renewal cannot overtake a trigger's disengagement and bring its entry back. Does not wait
   * for an evaluation in progress, only for a fleet write in flight, and at most the Redis timeout: past
   * it (or interrupted) this renewal is skipped, the next one comes a third of the lease later.
   */
  void renewFleet(Consumer<List<Op>> renew) {
    if (!lock(lockWaitNanos)) {
      return;
    }
    try {
      List<Op> engaged = new ArrayList<>();
      for (Armed armed : triggers) {
        Op op = armed.engaged;
        if (armed.trigger.scope() == Trigger.Scope.FLEET && op != null) {
          engaged.add(op);
        }
      }
      if (!engaged.isEmpty()) {
        renew.accept(engaged);
      }
    } finally {
      fleetLock.unlock();
    }
  }
}
