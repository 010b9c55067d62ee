package dev.ballast.degradation.internal;

import dev.ballast.core.Ticker;
import dev.ballast.core.internal.BallastThreads;
import dev.ballast.core.internal.Check;
import dev.ballast.degradation.Mode;
import dev.ballast.degradation.ReadOnlyModeException;
import dev.ballast.degradation.Reason;
import dev.ballast.degradation.Switch;
import dev.ballast.degradation.SwitchName;
import dev.ballast.degradation.Switchboard;
import dev.ballast.degradation.Trigger;
import dev.ballast.redis.RedisGuard;
import dev.ballast.redis.internal.port.RedisPort;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The switchboard: validates what callers ask, reads from the {@link BoardState}'s snapshot, and sends
 * writes to Redis ({@link FleetSync}) or, without Redis, straight to the state.
 *
 * <p>Design: this class holds no mutable state of its own beyond the closed flag. Reads are one volatile
 * read of an immutable snapshot; {@link BoardState} guards the entries, {@link FleetSync} the re-reads,
 * {@link TriggerRunner} the trigger state machines. The periodic work (trigger evaluation, the slow
 * re-read, pruning lapsed leases every third of the fleet trigger lease) and re-reads after reconnects run
 * on one daemon thread per switchboard. Renewing this instance's own fleet trigger leases runs on a second
 * daemon thread that does nothing else ({@link LeaseRenewer}), so a slow evaluation or re-read on the first
 * cannot delay a renewal until the lease lapses and another instance takes this one for dead. Both threads
 * come from {@link BallastThreads}; with the application's scheduler both kinds of work run there instead,
 * and closing cancels this board's tasks without shutting the scheduler down.
 *
 * <p>Lifecycle: the constructor only assembles (no connection, no thread, no callback can run); {@link
 * #start} connects, reads the fleet state and starts the schedule.
 */
public final class DefaultSwitchboard implements Switchboard {

  private static final Logger log = LoggerFactory.getLogger(Switchboard.class);

  private final BoardConfig config;
  private final String name;
  private final Set<String> declared;
  private final Clock clock;
  private final BoardState state;
  private final SwitchMeters meters;
  private final ChangeReporter reporter;
  private final TriggerRunner triggers;
  private final ScheduledExecutorService executor;
  private final boolean ownsExecutor;
  private final List<Future<?>> periodic = new ArrayList<>(); // the schedule's tasks, cancelled on close
  private final FleetSync fleet;
  private final LeaseRenewer renewer; // null without Redis or on a manual schedule
  private final BooleanSupplier spareOrigin = this::isServingCached;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

  private DefaultSwitchboard(BoardConfig config, Supplier<RedisPort> opener, ScheduledExecutorService scheduler,
      Ticker ticker, Clock clock, MeterRegistry registry) {
    this.config = config;
    this.name = config.name();
    this.declared = config.features();
    this.clock = clock;
    for (Mode mode : config.modes().values()) {
      checkDeclared(mode.settings().keySet());
    }
    for (Trigger t : config.triggers()) {
      checkDeclared(t.settings().keySet());
    }
    this.meters = new SwitchMeters(registry, name, this::current);
    this.reporter = new ChangeReporter(name, meters);
    this.state = new BoardState(name, config.instanceId(), declared, clock, reporter, meters::corrupt);
    this.triggers = new TriggerRunner(config, ticker, clock, state::setLocal, this::write, state::nextClock);
    // A thread pool starts its thread at the first task (in start()), not here.
    this.ownsExecutor = scheduler == null;
    this.executor = scheduler != null ? scheduler
        : Executors.newSingleThreadScheduledExecutor(r -> BallastThreads.thread("degradation-" + name, r));
    if (opener == null) {
      this.fleet = null;
      this.renewer = null;
      return;
    }
    String component = "degradation:" + name;
    // The guard's breaker runs on real time even when tests drive the triggers with a manual ticker.
    RedisGuard guard = RedisGuard.create(component, RedisGuard.defaultBreaker(component, Ticker.system(), registry),
        Ticker.system(), registry);
    this.fleet = new FleetSync(config, opener, guard, state, executor,
        () -> quietly("lease renewal", this::renewLeases));
    this.renewer = config.manualSchedule() ? null
        : new LeaseRenewer("degradation-" + name + "-leases", scheduler, config.fleetTriggerLease().dividedBy(3),
            () -> quietly("lease renewal", this::renewLeases));
  }

  /**
   * Builds, connects, reads the fleet state and starts the schedule.
   *
   * @param opener opens the port onto the fleet's Redis (standalone, Sentinel or Cluster); null for a
   *     board without Redis
   * @param scheduler the application's scheduler, or null for threads of the board's own
   */
  public static DefaultSwitchboard start(BoardConfig config, Supplier<RedisPort> opener,
      ScheduledExecutorService scheduler, Ticker ticker, Clock clock, MeterRegistry registry) {
    DefaultSwitchboard board = new DefaultSwitchboard(config, opener, scheduler, ticker, clock, registry);
    // The gauges read the board: registered once it is whole, so a scrape never sees it half-built.
    board.state.snapshot().all().forEach(s -> board.meters.register(s.name()));
    if (board.fleet != null) {
      board.fleet.start();
    }
    board.refresh();
    board.schedule();
    return board;
  }

  private void schedule() {
    if (config.manualSchedule()) {
      return;
    }
    synchronized (periodic) {
      schedulePeriodic();
    }
  }

  private void schedulePeriodic() {
    if (!triggers.isEmpty()) {
      long every = config.evaluateEvery().toNanos();
      periodic.add(executor.scheduleWithFixedDelay(() -> quietly("evaluate", this::evaluate), every, every,
          TimeUnit.NANOSECONDS));
    }
    if (fleet != null) {
      long every = config.refreshEvery().toNanos();
      periodic.add(executor.scheduleWithFixedDelay(() -> quietly("refresh", this::refresh), every, every,
          TimeUnit.NANOSECONDS));
      // Pruning may run late without harm (a dead instance's engagement lasts a little longer); renewing
      // may not, so it has its own thread.
      long prune = config.fleetTriggerLease().toNanos() / 3;
      periodic.add(executor.scheduleWithFixedDelay(() -> quietly("lease pruning", fleet::pruneLapsed), prune, prune,
          TimeUnit.NANOSECONDS));
      renewer.start();
    }
  }

  /** Renews the leases of this instance's engaged fleet trigger entries, all in one Redis call. */
  void renewLeases() {
    if (fleet != null) {
      triggers.renewFleet(fleet::renew);
    }
  }

  private Switch current(SwitchName switchName) {
    return state.snapshot().get(switchName);
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
    return state.snapshot().serveCached();
  }

  @Override
  public Switch readOnly() {
    return state.snapshot().readOnly();
  }

  @Override
  public Switch feature(String feature) {
    Snapshot s = state.snapshot();
    Switch known = s.features().get(Check.notNull(feature, "feature name"));
    if (known != null) {
      return known;
    }
    return s.get(checkFeature(feature));
  }

  @Override
  public List<Switch> switches() {
    return List.copyOf(state.snapshot().all());
  }

  @Override
  public List<Trigger> triggers() {
    return config.triggers();
  }

  @Override
  public Set<String> activeModes() {
    return state.snapshot().activeModes();
  }

  @Override
  public boolean isServingCached() {
    return state.snapshot().serveCached().on();
  }

  @Override
  public boolean isReadOnly() {
    return state.snapshot().readOnly().on();
  }

  @Override
  public boolean isFeatureEnabled(String feature) {
    if (feature == null) {
      throw new NullPointerException("feature name must not be null"); // not Check.notNull: its lambda allocates
    }
    Snapshot s = state.snapshot();
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
    Switch readOnly = state.snapshot().readOnly();
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
  public void degrade(SwitchName switchName, Reason reason) {
    setByHand(switchName, true, reason);
  }

  @Override
  public void restore(SwitchName switchName, Reason reason) {
    setByHand(switchName, false, reason);
  }

  private void setByHand(SwitchName switchName, boolean degraded, Reason reason) {
    Check.notNull(switchName, "switch name");
    Check.notNull(reason, "reason");
    checkDeclared(Set.of(switchName));
    boolean on = degraded == switchName.degradedPosition();
    Entry entry = new Entry(Entry.MANUAL + switchName.id(), clock.millis(), reason.who(), reason.why(),
        Map.of(switchName, on));
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
  public void enterMode(String modeName, Reason reason) {
    Mode mode = mode(modeName);
    Check.notNull(reason, "reason");
    Entry entry = new Entry(Entry.MODE + mode.name(), clock.millis(), reason.who(), reason.why(), mode.settings());
    log.info("switchboard {}: {} enters mode {}: {}", name, reason.who(), mode.name(), reason.why());
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

  @Override
  public void evaluate() {
    triggers.evaluate();
  }

  @Override
  public void refresh() {
    if (fleet != null) {
      fleet.refresh();
      // So that a manual schedule, which calls refresh(), keeps its leases too.
      renewLeases();
      fleet.pruneLapsed();
    }
  }

  /** The one write path for manual settings and modes: stamps the change with this instance's clock. */
  private void write(String field, Entry entry) {
    write(new Op(field, entry, state.nextClock()));
  }

  /** The one write path for manual settings, modes and fleet triggers. */
  private void write(Op op) {
    if (fleet == null) {
      state.setStandalone(op.field(), op.entry());
    } else {
      fleet.write(op);
    }
  }

  @Override
  public void addListener(Listener listener) {
    reporter.add(Check.notNull(listener, "listener"));
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) { // Registry.close and a shutdown hook may race: close once
      return;
    }
    stopSchedule();
    if (renewer != null) {
      renewer.close();
    }
    meters.close();
    if (fleet != null) {
      fleet.close(triggers.engagedFleetFields()); // an engaged fleet trigger must not outlive its instance
    }
  }

  /**
   * For tests: dies as a killed process would. The schedule stops and the connections close, but nothing
   * is withdrawn: this instance's fleet trigger entries stay in Redis until their lease lapses.
   */
  void crash() {
    closed.set(true);
    stopSchedule();
    if (renewer != null) {
      renewer.close();
    }
    meters.close();
    if (fleet != null) {
      fleet.close();
    }
  }

  /** Stops this board's periodic work: its own thread, or its tasks on the application's scheduler. */
  private void stopSchedule() {
    synchronized (periodic) {
      periodic.forEach(task -> task.cancel(false));
    }
    if (ownsExecutor) {
      executor.shutdownNow();
    }
  }

  @Override
  public String toString() {
    return "Switchboard[" + name + "]";
  }
}
