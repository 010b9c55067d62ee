package dev.ballast.degradation.internal;

import dev.ballast.core.Ticker;
import dev.ballast.core.internal.Check;
import dev.ballast.degradation.Mode;
import dev.ballast.degradation.ReadOnlyModeException;
import dev.ballast.degradation.Switch;
import dev.ballast.degradation.SwitchChange;
import dev.ballast.degradation.SwitchName;
import dev.ballast.degradation.Switchboard;
import dev.ballast.degradation.Trigger;
import dev.ballast.redis.RedisGuard;
import io.lettuce.core.RedisClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The switchboard.
 *
 * <p>Design: the switches readers see are one immutable {@link Snapshot} in a volatile field; readers
 * never lock. Everything that can change it is guarded by {@code lock}: the fleet entries as last read or
 * broadcast from Redis with their version ({@code fleet}, {@code fleetVersion}; without Redis, the manual
 * entries), the writes an outage held back ({@code pending}, applied over {@code fleet}), and the entries
 * of engaged local triggers ({@code local}). Each change recomputes the snapshot from those entries
 * ({@link Resolver}, a pure function), publishes it, then logs, counts and tells listeners, still under
 * {@code lock} so that they see changes in order. Redis is called outside {@code lock}. {@code evaluate}
 * is serialized by {@code evalLock} (the trigger state machines are not thread-safe), and re-syncs by
 * {@code syncLock}; neither is ever taken while holding {@code lock}.
 */
public final class DefaultSwitchboard implements Switchboard {

  private static final Logger log = LoggerFactory.getLogger(Switchboard.class);
  private static final Duration RETRY = Duration.ofMillis(500);

  private final BoardConfig config;
  private final String name;
  private final Set<String> declared;
  private final Ticker ticker;
  private final Clock clock;
  private final SwitchMeters meters;
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  private final BooleanSupplier spareOrigin = this::isServeCached;

  private volatile Snapshot snapshot;

  private final Object lock = new Object();
  private final Map<String, Entry> fleet = new TreeMap<>();
  private long fleetVersion;
  private String fleetEpoch;
  private final List<Op> pending = new ArrayList<>();
  private final Map<String, Entry> local = new TreeMap<>();
  private final Set<String> reportedCorrupt = new HashSet<>();

  private final Object evalLock = new Object();
  private final List<TriggerState> triggers = new ArrayList<>();

  private final Object syncLock = new Object();
  private final AtomicBoolean syncQueued = new AtomicBoolean();
  private boolean versionWentBack;

  private final ScheduledExecutorService executor;
  private final RedisFleet redis;
  private volatile boolean closed;

  /** A write for Redis: set {@code entry} at {@code field}, or delete the field when entry is null. */
  private record Op(String field, Entry entry) {}

  private static final class TriggerState {
    final Trigger trigger;
    final Hysteresis hysteresis;
    final String field;

    TriggerState(Trigger trigger, String instance) {
      this.trigger = trigger;
      this.hysteresis = new Hysteresis(trigger.enterThreshold(), trigger.exitThreshold(),
          Check.saturatedNanos(trigger.minDwell()));
      this.field = Entry.AUTO + trigger.name() + (trigger.scope() == Trigger.Scope.FLEET ? "@" + instance : "");
    }
  }

  private DefaultSwitchboard(BoardConfig config, RedisClient client, Ticker ticker, Clock clock,
      MeterRegistry registry) {
    this.config = config;
    this.name = config.name();
    this.declared = config.features();
    this.ticker = ticker;
    this.clock = clock;
    for (Mode mode : config.modes().values()) {
      checkDeclared(mode.settings().keySet());
    }
    for (Trigger t : config.triggers()) {
      checkDeclared(t.settings().keySet());
      triggers.add(new TriggerState(t, config.instanceId()));
    }
    this.snapshot = Resolver.resolve(List.of(), declared, null, clock.millis());
    this.meters = new SwitchMeters(registry, name, n -> snapshot.get(n));
    snapshot.all().forEach(s -> meters.register(s.name()));
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "ballast-degradation-" + name);
      thread.setDaemon(true);
      return thread;
    });
    if (client == null) {
      this.redis = null;
      return;
    }
    RedisGuard guard = RedisGuard.create("degradation:" + name,
        RedisGuard.defaultBreaker("degradation:" + name, Ticker.system()), Ticker.system(), registry);
    try {
      this.redis = new RedisFleet(client, config.keyPrefix(), name, config.redisTimeout(), guard, new RedisFleet.Events() {
        @Override
        public void onBroadcast(String message) {
          applyBroadcast(message);
        }

        @Override
        public void onSubscribed() {
          requestSync(Duration.ZERO);
        }
      });
    } catch (RuntimeException e) {
      executor.shutdownNow();
      throw e;
    }
  }

  /** Builds, connects, reads the fleet state and starts the schedule. */
  public static DefaultSwitchboard start(BoardConfig config, RedisClient client, Ticker ticker, Clock clock,
      MeterRegistry registry) {
    DefaultSwitchboard board = new DefaultSwitchboard(config, client, ticker, clock, registry);
    if (board.redis != null) {
      board.refresh();
    }
    board.schedule();
    return board;
  }

  private void schedule() {
    if (config.manualSchedule()) {
      return;
    }
    if (!triggers.isEmpty()) {
      long every = config.evaluateEvery().toNanos();
      executor.scheduleWithFixedDelay(() -> quietly("evaluate", this::evaluate), every, every, TimeUnit.NANOSECONDS);
    }
    if (redis != null) {
      long every = config.refreshEvery().toNanos();
      executor.scheduleWithFixedDelay(() -> quietly("refresh", this::refresh), every, every, TimeUnit.NANOSECONDS);
    }
  }

  private void quietly(String what, Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      log.warn("switchboard {}: {} failed; trying again on schedule", name, what, e);
    }
  }

  // ---- reads: one volatile read, no lock, no allocation ----

  @Override
  public String name() {
    return name;
  }

  @Override
  public Switch serveCached() {
    return snapshot.serveCached();
  }

  @Override
  public Switch readOnly() {
    return snapshot.readOnly();
  }

  @Override
  public Switch feature(String feature) {
    Snapshot s = snapshot;
    Switch known = s.features().get(Check.notNull(feature, "feature name"));
    if (known != null) {
      return known;
    }
    return s.get(checkFeature(feature));
  }

  @Override
  public List<Switch> switches() {
    return List.copyOf(snapshot.all());
  }

  @Override
  public Set<String> activeModes() {
    return snapshot.activeModes();
  }

  @Override
  public boolean isServeCached() {
    return snapshot.serveCached().on();
  }

  @Override
  public boolean isReadOnly() {
    return snapshot.readOnly().on();
  }

  @Override
  public boolean isFeatureEnabled(String feature) {
    if (feature == null) {
      throw new NullPointerException("feature name must not be null"); // not Check.notNull: its lambda allocates
    }
    Snapshot s = snapshot;
    Switch known = s.features().get(feature);
    if (known != null) {
      return known.on();
    }
    if (!declared.isEmpty()) {
      checkFeature(feature); // every declared feature is in the map: this one is unknown, and throws
    }
    return s.otherFeatures().on();
  }

  @Override
  public void guardWrite(String operation) {
    Switch readOnly = snapshot.readOnly();
    if (readOnly.on()) {
      throw new ReadOnlyModeException(name, operation, readOnly);
    }
  }

  @Override
  public BooleanSupplier spareOriginSignal() {
    return spareOrigin;
  }

  private SwitchName checkFeature(String feature) {
    SwitchName n = SwitchName.feature(feature);
    checkDeclared(Set.of(n));
    return n;
  }

  private void checkDeclared(Set<SwitchName> names) {
    if (declared.isEmpty()) {
      return;
    }
    for (SwitchName n : names) {
      if (n.isFeature() && !n.equals(SwitchName.ALL_FEATURES) && !declared.contains(n.featureName())) {
        throw FeatureNames.unknown(name, n.featureName(), declared);
      }
    }
  }

  // ---- manual control ----

  @Override
  public void set(SwitchName switchName, boolean on, String who, String why) {
    Check.notNull(switchName, "switch name");
    checkDeclared(Set.of(switchName));
    Entry entry = new Entry(Entry.MANUAL + switchName.id(), clock.millis(), Check.notBlank(who, "who"),
        Check.notNull(why, "why"), Map.of(switchName, on));
    write(entry.field(), entry);
  }

  @Override
  public void release(SwitchName switchName, String who) {
    Check.notNull(switchName, "switch name");
    checkDeclared(Set.of(switchName));
    Check.notBlank(who, "who");
    String field = Entry.MANUAL + switchName.id();
    log.info("switchboard {}: {} releases {} to modes and triggers", name, who, switchName);
    write(field, null);
  }

  @Override
  public void enterMode(String modeName, String who, String why) {
    Mode mode = mode(modeName);
    Entry entry = new Entry(Entry.MODE + mode.name(), clock.millis(), Check.notBlank(who, "who"),
        Check.notNull(why, "why"), mode.settings());
    log.info("switchboard {}: {} enters mode {}: {}", name, who, mode.name(), why);
    write(entry.field(), entry);
  }

  @Override
  public void leaveMode(String modeName, String who) {
    Mode mode = mode(modeName);
    Check.notBlank(who, "who");
    log.info("switchboard {}: {} leaves mode {}", name, who, mode.name());
    write(Entry.MODE + mode.name(), null);
  }

  private Mode mode(String modeName) {
    Check.notNull(modeName, "mode");
    Mode mode = config.modes().get(modeName);
    if (mode == null) {
      throw new IllegalArgumentException("unknown mode '" + modeName + "' in switchboard '" + name
          + "'; registered modes: " + new TreeSet<>(config.modes().keySet()));
    }
    return mode;
  }

  // ---- triggers ----

  @Override
  public void evaluate() {
    synchronized (evalLock) {
      long now = ticker.read();
      for (TriggerState t : triggers) {
        double value;
        try {
          value = t.trigger.signal().read();
        } catch (RuntimeException e) {
          value = Double.NaN; // a broken signal has no opinion; it must not stop the other triggers
        }
        if (!t.hysteresis.step(now, value)) {
          continue;
        }
        Trigger trigger = t.trigger;
        boolean engaged = t.hysteresis.engaged();
        String why = String.format(java.util.Locale.ROOT, "%s %.3f %s %s %.3f", trigger.signal().description(), value,
            engaged ? ">=" : "<=", engaged ? "enter" : "exit",
            engaged ? trigger.enterThreshold() : trigger.exitThreshold());
        log.info("switchboard {}: trigger {} {} ({}, {})", name, trigger.name(), engaged ? "engaged" : "disengaged",
            why, trigger.scope());
        Entry entry = engaged ? new Entry(t.field, clock.millis(), "trigger:" + trigger.name() + "@"
            + config.instanceId(), why, trigger.settings()) : null;
        if (trigger.scope() == Trigger.Scope.LOCAL) {
          synchronized (lock) {
            if (entry == null) {
              local.remove(t.field);
            } else {
              local.put(t.field, entry);
            }
            recompute();
          }
        } else {
          write(t.field, entry);
        }
      }
    }
  }

  // ---- the one write path ----

  private void write(String field, Entry entry) {
    if (redis == null) {
      synchronized (lock) {
        if (entry == null) {
          fleet.remove(field);
        } else {
          fleet.put(field, entry);
        }
        fleetVersion++;
        recompute();
      }
      return;
    }
    synchronized (lock) {
      if (!pending.isEmpty()) {
        // Keep the order of writes: this one goes after those still waiting for Redis.
        pending.add(new Op(field, entry));
        recompute();
        requestSync(RETRY);
        return;
      }
    }
    RedisFleet.Written written = entry == null ? redis.delete(field) : redis.set(field, EntryCodec.encodeTail(entry));
    synchronized (lock) {
      if (written == null) {
        pending.add(new Op(field, entry));
        recompute();
      } else {
        applyWritten(field, written);
        recompute();
      }
    }
    if (written == null) {
      requestSync(RETRY);
    }
  }

  /** Our own write's outcome: Redis's state at {@code written.version()}. Caller holds lock. */
  private void applyWritten(String field, RedisFleet.Written written) {
    boolean sameState = written.epoch().equals(fleetEpoch);
    if (sameState && written.version() < fleetVersion) {
      return; // a later broadcast already carried this field's newer value
    }
    if (written.stored().isEmpty()) {
      fleet.remove(field);
    } else {
      putDecoded(field, written.stored());
    }
    if (sameState) {
      fleetVersion = written.version();
    } else {
      // A state we have not read (created just now, or after Redis lost ours): show our write at once,
      // and read the whole state to learn the rest and its version.
      requestSync(Duration.ZERO);
    }
  }

  private void putDecoded(String field, String value) {
    try {
      fleet.put(field, EntryCodec.decode(field, value));
    } catch (IllegalArgumentException corrupt) {
      fleet.remove(field);
      if (reportedCorrupt.add(field + "=" + value)) {
        log.warn("switchboard {}: ignoring {}", name, corrupt.getMessage());
      }
    }
  }

  // ---- from Redis ----

  void applyBroadcast(String message) {
    String[] parts = message.split("\\|", 5);
    long version;
    try {
      version = parts.length == 5 ? Long.parseLong(parts[1]) : -1;
    } catch (NumberFormatException e) {
      version = -1;
    }
    if (version < 0 || !(parts[2].equals("set") || parts[2].equals("del"))) {
      synchronized (lock) {
        if (reportedCorrupt.add(message)) {
          log.warn("switchboard {}: ignoring malformed broadcast '{}'", name, message);
        }
      }
      return;
    }
    boolean resync;
    synchronized (lock) {
      if (!parts[0].equals(fleetEpoch)) {
        resync = true; // a state we have not read: its earlier changes are unknown to us
      } else if (version <= fleetVersion) {
        return; // stale: already applied, or older than the state we read
      } else {
        resync = version > fleetVersion + 1; // a broadcast was missed
        if (parts[2].equals("del")) {
          fleet.remove(parts[3]);
        } else {
          putDecoded(parts[3], parts[4]);
        }
        fleetVersion = version;
        recompute();
      }
    }
    if (resync) {
      requestSync(Duration.ZERO);
    }
  }

  private void requestSync(Duration delay) {
    if (redis == null || closed || !syncQueued.compareAndSet(false, true)) {
      return;
    }
    try {
      executor.schedule(() -> {
        syncQueued.set(false);
        quietly("refresh", this::refresh);
      }, delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
      syncQueued.set(false);
    }
  }

  @Override
  public void refresh() {
    if (redis == null) {
      return;
    }
    synchronized (syncLock) {
      Map<String, String> state = redis.readAll();
      if (state == null) {
        requestSync(RETRY);
        return;
      }
      List<Op> toWrite = new ArrayList<>();
      int pendingCount;
      synchronized (lock) {
        String epoch = state.getOrDefault(RedisFleet.EPOCH_FIELD, "");
        if (fleetEpoch != null && !epoch.equals(fleetEpoch) && !fleet.isEmpty()) {
          // Redis lost the state we knew (restarted without persistence, failed over, flushed): write back
          // what we knew, except fields already written afresh, which are newer than our knowledge.
          Map<String, String> found = state;
          fleet.values().stream().filter(e -> !found.containsKey(e.field()) && isOurs(e))
              .forEach(e -> toWrite.add(new Op(e.field(), e)));
          if (!toWrite.isEmpty()) {
            log.warn("switchboard {}: the state in Redis was lost; writing back {} entries this instance knew",
                name, toWrite.size());
          }
        }
        pendingCount = pending.size();
        toWrite.addAll(pending);
      }
      if (!toWrite.isEmpty()) {
        for (Op op : toWrite) {
          RedisFleet.Written w = op.entry() == null ? redis.delete(op.field())
              : redis.set(op.field(), EntryCodec.encodeTail(op.entry()));
          if (w == null) {
            requestSync(RETRY);
            return;
          }
        }
        synchronized (lock) {
          pending.subList(0, pendingCount).clear();
          if (pendingCount > 0) {
            log.info("switchboard {}: wrote {} changes made during the Redis outage", name, pendingCount);
          }
        }
        state = redis.readAll();
        if (state == null) {
          requestSync(RETRY);
          return;
        }
      }
      applyState(state);
    }
  }

  /**
   * Whether to write {@code e} back after Redis lost the state: manual entries and modes yes, trigger
   * entries only this instance's own (another instance's may have disengaged meanwhile; it re-asserts its
   * own).
   */
  private boolean isOurs(Entry e) {
    return e.origin() != Switch.Origin.AUTOMATIC || e.field().endsWith("@" + config.instanceId());
  }

  private void applyState(Map<String, String> state) {
    long version;
    try {
      version = Long.parseLong(state.getOrDefault(RedisFleet.VERSION_FIELD, "0"));
    } catch (NumberFormatException e) {
      version = 0;
    }
    String epoch = state.getOrDefault(RedisFleet.EPOCH_FIELD, "");
    synchronized (lock) {
      if (epoch.equals(fleetEpoch) && version < fleetVersion && !versionWentBack) {
        // Usually a broadcast newer than this read was applied meanwhile; read again to tell that apart
        // from a Redis that went back in time within one epoch (restored from an older snapshot), which
        // we then accept.
        versionWentBack = true;
        requestSync(RETRY);
        return;
      }
      versionWentBack = false;
      fleet.clear();
      state.forEach((field, value) -> {
        if (!field.startsWith("_")) { // _version, _epoch
          putDecoded(field, value);
        }
      });
      fleetVersion = version;
      fleetEpoch = epoch;
      recompute();
    }
  }

  // ---- snapshot, logs, meters, listeners ----

  /** Caller holds lock. */
  private void recompute() {
    Map<String, Entry> effective = new HashMap<>(fleet);
    for (Op op : pending) {
      if (op.entry() == null) {
        effective.remove(op.field());
      } else {
        effective.put(op.field(), op.entry());
      }
    }
    effective.putAll(local);
    Snapshot before = snapshot;
    Snapshot after = Resolver.resolve(effective.values(), declared, before, clock.millis());
    snapshot = after;
    Set<SwitchName> names = new LinkedHashSet<>();
    before.all().forEach(s -> names.add(s.name()));
    after.all().forEach(s -> names.add(s.name()));
    for (SwitchName n : names) {
      Switch was = before.get(n);
      Switch now = after.get(n);
      if (!sameSetting(was, now)) {
        changed(new SwitchChange(name, was, now));
      }
    }
  }

  private static boolean sameSetting(Switch a, Switch b) {
    return a.on() == b.on() && a.origin() == b.origin() && a.who().equals(b.who()) && a.why().equals(b.why());
  }

  private void changed(SwitchChange change) {
    Switch now = change.after();
    log.info("switchboard {}: {} {} -> {} by {} ({}): {}", name, now.name(), change.before().on() ? "on" : "off",
        now.on() ? "on" : "off", now.who(), now.origin().name().toLowerCase(java.util.Locale.ROOT), now.why());
    meters.changed(now.name());
    for (Listener l : listeners) {
      try {
        l.onChange(change);
      } catch (RuntimeException e) {
        log.warn("switchboard {}: listener {} failed on {}", name, l, change, e);
      }
    }
  }

  @Override
  public void addListener(Listener listener) {
    listeners.add(Check.notNull(listener, "listener"));
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    executor.shutdownNow();
    if (redis == null) {
      return;
    }
    synchronized (evalLock) {
      for (TriggerState t : triggers) {
        if (t.trigger.scope() == Trigger.Scope.FLEET && t.hysteresis.engaged()) {
          redis.delete(t.field); // best effort: an engaged fleet trigger must not outlive its instance
        }
      }
    }
    redis.close();
  }

  @Override
  public String toString() {
    return "Switchboard[" + name + "]";
  }
}
