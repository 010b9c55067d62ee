package dev.ballast.degradation.internal;

import dev.ballast.core.Ticker;
import dev.ballast.core.internal.Check;
import dev.ballast.degradation.Switchboard;
import dev.ballast.degradation.Trigger;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
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
 * whatever else the evaluation does.
 */
final class TriggerRunner {

  private static final Logger log = LoggerFactory.getLogger(Switchboard.class);

  private final String board;
  private final String instanceId;
  private final Ticker ticker;
  private final Clock clock;
  private final List<Armed> triggers = new ArrayList<>();
  private final BiConsumer<String, Entry> local;
  private final BiConsumer<String, Entry> fleet;
  private final ReentrantLock fleetLock = new ReentrantLock(true);

  private static final class Armed {
    final Trigger trigger;
    final Hysteresis hysteresis;
    final String field;
    volatile Entry engaged; // the entry written when it engaged, renewed as is; null while disengaged

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
   * @param fleet writes a fleet trigger's entry (null to remove it)
   */
  TriggerRunner(BoardConfig config, Ticker ticker, Clock clock, BiConsumer<String, Entry> local,
      BiConsumer<String, Entry> fleet) {
    this.board = config.name();
    this.instanceId = config.instanceId();
    this.ticker = ticker;
    this.clock = clock;
    this.local = local;
    this.fleet = fleet;
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
      armed.engaged = entry;
      local.accept(armed.field, entry);
      return;
    }
    fleetLock.lock();
    try {
      armed.engaged = entry;
      fleet.accept(armed.field, entry);
    } finally {
      fleetLock.unlock();
    }
  }

  /** The fields of this instance's engaged fleet triggers, to withdraw on close. */
  List<String> engagedFleetFields() {
    fleetLock.lock(); // a flip in flight finishes first
    try {
      List<String> fields = new ArrayList<>();
      for (Armed armed : triggers) {
        if (armed.trigger.scope() == Trigger.Scope.FLEET && armed.engaged != null) {
          fields.add(armed.field);
        }
      }
      return fields;
    } finally {
      fleetLock.unlock();
    }
  }

  /**
   * Hands every engaged fleet trigger's entry (field to entry) to {@code renew} at once, under {@code
   * fleetLock}: a renewal cannot overtake a trigger's disengagement and bring its entry back. Does not wait
   * for an evaluation in progress, only for a fleet write in flight.
   */
  void renewFleet(Consumer<Map<String, Entry>> renew) {
    fleetLock.lock();
    try {
      Map<String, Entry> engaged = new LinkedHashMap<>();
      for (Armed armed : triggers) {
        Entry entry = armed.engaged;
        if (armed.trigger.scope() == Trigger.Scope.FLEET && entry != null) {
          engaged.put(armed.field, entry);
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
