package dev.ballast.degradation;

import org.jspecify.annotations.Nullable;
import dev.ballast.core.Ticker;
import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.OptionsSet;
import dev.ballast.degradation.internal.BoardConfig;
import dev.ballast.degradation.internal.DefaultSwitchboard;
import dev.ballast.redis.HashTags;
import dev.ballast.redis.internal.port.RedisPort;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import io.micrometer.core.instrument.MeterRegistry;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * Builds a {@link Switchboard}. Each option may be set once ({@link IllegalStateException} on a second
 * call); {@link #mode} and {@link #trigger} add one each. Not thread-safe.
 */
public final class SwitchboardBuilder {

  private final OptionsSet options = new OptionsSet("Switchboard");
  private @Nullable String name;
  private final Set<String> features = new LinkedHashSet<>();
  private final Map<String, Mode> modes = new LinkedHashMap<>();
  private final List<Trigger> triggers = new ArrayList<>();
  private @Nullable Supplier<RedisPort> redis;
  private @Nullable ScheduledExecutorService scheduler;
  private String keyPrefix = "ballast:degradation:";
  private @Nullable String instanceId;
  private Ticker ticker = Ticker.system();
  private Clock clock = Clock.systemUTC();
  private @Nullable MeterRegistry registry;
  private Duration evaluateEvery = Duration.ofSeconds(1);
  private Duration refreshEvery = Duration.ofSeconds(30);
  private Duration redisTimeout = Duration.ofSeconds(1);
  private Duration fleetTriggerLease = Duration.ofSeconds(15);
  private boolean manualSchedule;
  private boolean survivalReplaced;

  SwitchboardBuilder() {
    modes.put(Mode.SURVIVAL, Mode.survival());
  }

  /** The switchboard's name (required): letters, digits, '.', '_', '-'. Instances of one fleet share it. */
  public SwitchboardBuilder name(String name) {
    options.claim("name");
    this.name = SwitchName.checkName(name, "Switchboard.name");
    return this;
  }

  /**
   * Declares the closed set of non-critical features; afterwards an unknown feature name is an error
   * rather than a silently enabled feature. Without it, any well-formed name is accepted.
   */
  public SwitchboardBuilder features(String... names) {
    options.claim("features");
    Check.notNull(names, "Switchboard.features");
    for (String f : names) {
      features.add(SwitchName.checkName(f, "Switchboard.features[]"));
    }
    return this;
  }

  /**
   * Registers a mode for {@link Switchboard#enterMode}; "survival" is registered already and may be
   * replaced once.
   *
   * @throws IllegalStateException if a mode of that name was already registered
   */
  public SwitchboardBuilder mode(Mode mode) {
    Check.notNull(mode, "Switchboard.mode");
    boolean first = mode.name().equals(Mode.SURVIVAL) ? !survivalReplaced : !modes.containsKey(mode.name());
    if (!first) {
      throw new IllegalStateException("Switchboard.mode '" + mode.name() + "' was already registered");
    }
    survivalReplaced |= mode.name().equals(Mode.SURVIVAL);
    modes.put(mode.name(), mode);
    return this;
  }

  /**
   * Adds a trigger.
   *
   * @throws IllegalStateException if a trigger of that name was already added
   */
  public SwitchboardBuilder trigger(Trigger trigger) {
    Check.notNull(trigger, "Switchboard.trigger");
    for (Trigger t : triggers) {
      if (t.name().equals(trigger.name())) {
        throw new IllegalStateException("Switchboard.trigger '" + trigger.name() + "' was already added");
      }
    }
    triggers.add(trigger);
    return this;
  }

  /**
   * Shares the state with every instance using the same Redis, prefix and name: one server, or a Sentinel
   * setup through a {@code redis-sentinel://} URI (each reconnect asks the Sentinels for the master, and the
   * re-subscription after a failover makes the board re-read the state). {@link #build()} opens one command
   * and one pub/sub connection from {@code client} and {@link Switchboard#close()} closes them; the client
   * stays the application's. Excludes {@link #redis(RedisClusterClient)}.
   *
   * @throws IllegalStateException if a Redis client was already set
   */
  public SwitchboardBuilder redis(RedisClient client) {
    options.claim("redis");
    Check.notNull(client, "Switchboard.redis");
    this.redis = () -> RedisPort.open(client);
    return this;
  }

  /**
   * Shares the state with every instance using the same Redis Cluster, prefix and name. The board's keys
   * and channel share the hash tag of its name (one slot). Broadcasts use sharded pub/sub
   * ({@code SPUBLISH}, staying on that slot's shard) when every node runs Redis 7.0 or newer, else classic
   * {@code PUBLISH}. After a failover the board subscribes again on the slot's new owner and re-reads the
   * state; this needs the client's topology refresh ({@code ClusterTopologyRefreshOptions}). With classic
   * pub/sub a subscription on a node that is down hears nothing until that node is back: the periodic
   * re-read ({@link #refreshEvery}) bounds how stale the board is meanwhile. Excludes
   * {@link #redis(RedisClient)}.
   *
   * @throws IllegalStateException if a Redis client was already set
   */
  public SwitchboardBuilder redis(RedisClusterClient client) {
    options.claim("redis");
    Check.notNull(client, "Switchboard.redis");
    this.redis = () -> RedisPort.open(client, RedisPort.PubSubMode.AUTO);
    return this;
  }

  /**
   * Runs the switchboard's periodic work (trigger evaluation, re-reads, lease pruning and renewal) on the
   * application's scheduler instead of two threads of its own ({@code ballast-degradation-NAME} and
   * {@code ballast-degradation-NAME-leases}); {@link Switchboard#close()} cancels the board's tasks and
   * leaves the scheduler running. Give it at least two threads when fleet triggers are used, so that a slow
   * re-read cannot delay a lease renewal.
   *
   * @throws IllegalStateException if already set
   * @throws NullPointerException if null
   */
  public SwitchboardBuilder scheduler(ScheduledExecutorService scheduler) {
    options.claim("scheduler");
    this.scheduler = Check.notNull(scheduler, "Switchboard.scheduler");
    return this;
  }

  /**
   * The prefix of the Redis keys and channel (default {@code "ballast:degradation:"}).
   *
   * @throws IllegalArgumentException if it holds a <code>&#123;</code>: the board's keys must share the
   *     Redis Cluster hash tag that the switchboard's name forms, so that its scripts run in one slot
   * @throws NullPointerException if null
   * @throws IllegalStateException if already set
   */
  public SwitchboardBuilder keyPrefix(String prefix) {
    options.claim("keyPrefix");
    Check.notNull(prefix, "Switchboard.keyPrefix");
    HashTags.checkPrefix(prefix.getBytes(StandardCharsets.UTF_8), "Switchboard.keyPrefix");
    this.keyPrefix = prefix;
    return this;
  }

  /** This instance's name in {@link Switch#who()} of its triggers (default host name and process id). */
  public SwitchboardBuilder instanceId(String id) {
    options.claim("instanceId");
    this.instanceId = SwitchName.checkName(id, "Switchboard.instanceId");
    return this;
  }

  /** The ticker triggers' dwell times are measured with (default {@link Ticker#system()}). */
  public SwitchboardBuilder ticker(Ticker ticker) {
    options.claim("ticker");
    this.ticker = Check.notNull(ticker, "Switchboard.ticker");
    return this;
  }

  /** The wall clock for {@link Switch#since()} of local changes (default UTC system clock). */
  public SwitchboardBuilder clock(Clock clock) {
    options.claim("clock");
    this.clock = Check.notNull(clock, "Switchboard.clock");
    return this;
  }

  /** Where to export the switch gauges and change counters (default none). */
  public SwitchboardBuilder meterRegistry(MeterRegistry registry) {
    options.claim("meterRegistry");
    this.registry = Check.notNull(registry, "Switchboard.meterRegistry");
    return this;
  }

  /** How often triggers are evaluated (default 1 s). */
  public SwitchboardBuilder evaluateEvery(Duration interval) {
    options.claim("evaluateEvery");
    this.evaluateEvery = Check.positive(interval, "Switchboard.evaluateEvery");
    return this;
  }

  /** How often the whole state is re-read from Redis as a safety net (default 30 s). */
  public SwitchboardBuilder refreshEvery(Duration interval) {
    options.claim("refreshEvery");
    this.refreshEvery = Check.positive(interval, "Switchboard.refreshEvery");
    return this;
  }

  /**
   * How long a Redis call may take before the switchboard treats Redis as unreachable (default 1 s),
   * whatever timeout the client has: a flip during an outage applies locally after at most this long. It
   * also bounds every other wait of the switchboard: subscribing at start, closing each connection, a
   * {@link Switchboard#refresh()} waiting for a re-read in progress, a lease renewal waiting for a trigger's
   * write in flight (twice this for a flip waiting for a renewal).
   */
  public SwitchboardBuilder redisTimeout(Duration timeout) {
    options.claim("redisTimeout");
    this.redisTimeout = Check.positive(timeout, "Switchboard.redisTimeout");
    return this;
  }

  /**
   * How long an engaged {@link Trigger.Scope#FLEET FLEET} trigger's entry lasts in Redis unless its
   * instance renews it (default 15 s). The instance renews all its entries in one Redis call every third of
   * this, on a fixed rate and a thread of its own; an instance that dies (killed, partitioned, frozen) stops
   * renewing, and the others end its engagement within the lease plus a third of it, so a dead instance does
   * not keep the fleet degraded. The expiry is Redis time. It must be at least 6 × {@link #redisTimeout}
   * (checked by {@link #build()}): a renewal may wait one timeout for a trigger's write in flight and take
   * another itself, and a third of the lease stays spare. Manual settings and modes have no lease: they
   * stay until released. Every instance of a fleet should use the same lease.
   *
   * @throws IllegalArgumentException if {@code lease} is not positive
   */
  public SwitchboardBuilder fleetTriggerLease(Duration lease) {
    options.claim("fleetTriggerLease");
    this.fleetTriggerLease = Check.positive(lease, "Switchboard.fleetTriggerLease");
    return this;
  }

  /**
   * Runs nothing periodically: the application (or a test) calls {@link Switchboard#evaluate()} and
   * {@link Switchboard#refresh()} itself; refresh also renews this instance's fleet trigger leases, so
   * call it at least every third of {@link #fleetTriggerLease}. Re-reads after a reconnect still happen.
   */
  public SwitchboardBuilder manualSchedule() {
    options.claim("manualSchedule");
    this.manualSchedule = true;
    return this;
  }

  /**
   * Builds and starts the switchboard: with Redis it connects, subscribes and reads the fleet state
   * before returning. If Redis cannot be reached it starts on the normal positions, logs that once, and
   * connects in the background; flips made meanwhile apply locally and are written once connected.
   *
   * @throws NullPointerException if no name was set
   * @throws IllegalArgumentException if a mode or trigger names an undeclared feature
   * @throws IllegalStateException if the fleet trigger lease is shorter than 6 × the Redis timeout
   */
  public Switchboard build() {
    Check.notNull(name, "Switchboard.name");
    String instance = instanceId != null ? instanceId : defaultInstanceId();
    BoardConfig config = new BoardConfig(name, Set.copyOf(features), Map.copyOf(modes), List.copyOf(triggers),
        keyPrefix, instance, evaluateEvery, refreshEvery, redisTimeout, fleetTriggerLease, manualSchedule);
    return DefaultSwitchboard.start(config, redis, scheduler, ticker, clock, registry);
  }

  private static String defaultInstanceId() {
    // "pid@host" from the runtime bean; keep only the characters names allow.
    String raw = ManagementFactory.getRuntimeMXBean().getName();
    String cleaned = raw.replaceAll("[^A-Za-z0-9._-]", "-");
    return cleaned.isEmpty() ? "instance" : cleaned.substring(0, Math.min(100, cleaned.length()));
  }
}
