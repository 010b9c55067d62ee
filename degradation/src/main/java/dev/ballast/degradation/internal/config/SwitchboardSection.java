package dev.ballast.degradation.internal.config;

import dev.ballast.core.Registry;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.ConfigException;
import dev.ballast.core.config.spi.ConfigNode;
import dev.ballast.core.config.spi.ConfigSection;
import dev.ballast.degradation.Mode;
import dev.ballast.degradation.SwitchName;
import dev.ballast.degradation.Switchboard;
import dev.ballast.degradation.SwitchboardBuilder;
import dev.ballast.degradation.Trigger;
import dev.ballast.degradation.internal.BoardConfig;
import io.lettuce.core.RedisClient;
import io.lettuce.core.cluster.RedisClusterClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The {@code switchboard} section: one {@link Switchboard} (not one per entry), registered as
 * {@value #REGISTRY_NAME} together with its {@link Switchboard#spareOriginSignal()} as a
 * {@link BooleanSupplier} of the same name (what a cache's {@code spareOrigin: switchboard} finds), and
 * the {@code LatencyRecorder}s and {@code OutcomeRecorder}s its triggers name, each under its own name
 * for the application to feed. Builds after the core sections (order 10) so that {@code breakerOpen}
 * finds the circuit breakers.
 *
 * <p>Keys: {@code name}, {@code redis}, {@code keyPrefix}, {@code instanceId}, {@code features},
 * {@code modes}, {@code evaluateEvery}, {@code refreshEvery}, {@code redisTimeout},
 * {@code fleetTriggerLease}, {@code manualSchedule}, {@code triggers} (see {@link TriggerReader}).
 */
public final class SwitchboardSection implements ConfigSection {

  /** The registry name of the switchboard and of its spare-origin signal; the annotations' default. */
  public static final String REGISTRY_NAME = "switchboard";

  private static final Set<String> KEYS = Set.of("name", "redis", "keyPrefix", "instanceId", "features", "modes",
      "evaluateEvery", "refreshEvery", "redisTimeout", "fleetTriggerLease", "manualSchedule", "triggers");

  @Override
  public String key() {
    return "switchboard";
  }

  @Override
  public int order() {
    return 10;
  }

  @Override
  public Set<String> entryKeys() {
    return KEYS;
  }

  @Override
  public void build(ConfigNode section, ConfigContext context, Registry.Builder registry) {
    section.allowOnly(KEYS);
    String name = section.string("name", REGISTRY_NAME).trim();
    SwitchboardBuilder builder = Switchboard.builder();
    apply(section.get("name") != null ? section.get("name") : section, () -> builder.name(name));
    Set<String> features = features(section, builder);
    SwitchIds switches = new SwitchIds(name, features);
    Map<String, Mode> modes = modes(section, switches, builder);
    Recorders recorders = new Recorders(context.ticker());
    ConfigNode triggers = section.get("triggers");
    if (triggers != null) {
      TriggerReader reader = new TriggerReader(context, registry, recorders, switches, modes);
      for (Map.Entry<String, ConfigNode> entry : triggers.entries().entrySet()) {
        Trigger trigger = reader.read(entry.getKey(), entry.getValue());
        apply(entry.getValue(), () -> builder.trigger(trigger));
      }
    }
    if (section.get("keyPrefix") != null) {
      builder.keyPrefix(section.string("keyPrefix", null));
    }
    if (section.get("instanceId") != null) {
      apply(section.get("instanceId"), () -> builder.instanceId(section.string("instanceId", null).trim()));
    }
    Duration redisTimeout = positive(section, "redisTimeout", Duration.ofSeconds(1));
    Duration lease = positive(section, "fleetTriggerLease", Duration.ofSeconds(15));
    ConfigNode leaseNode = section.get("fleetTriggerLease");
    apply(leaseNode != null ? leaseNode : section.get("redisTimeout"), () -> {
      BoardConfig.checkLease(lease, redisTimeout);
      return null;
    });
    builder.evaluateEvery(positive(section, "evaluateEvery", Duration.ofSeconds(1)))
        .refreshEvery(positive(section, "refreshEvery", Duration.ofSeconds(30)))
        .redisTimeout(redisTimeout)
        .fleetTriggerLease(lease)
        .ticker(context.ticker());
    if (section.bool("manualSchedule", false)) {
      builder.manualSchedule();
    }
    if (context.meterRegistry() != null) {
      builder.meterRegistry(context.meterRegistry());
    }
    Object redis = redis(section, context);
    if (redis instanceof RedisClusterClient cluster) {
      builder.redis(cluster);
    } else if (redis != null) {
      builder.redis((RedisClient) redis);
    }
    // Everything that can be wrong in the file was checked above: build() only connects (and keeps
    // trying in the background if Redis is down), so nothing is left open by a later error here.
    Switchboard board = apply(section, builder::build);
    try {
      registry.add(REGISTRY_NAME, board);
      registry.add(REGISTRY_NAME, board.spareOriginSignal());
      recorders.register(registry);
    } catch (RuntimeException e) { // a name already taken: do not leave the schedule and connections open
      board.close();
      throw section.error(e.getMessage());
    }
  }

  /** {@code features: [a, b]}: the closed set of feature names; absent or empty accepts any name. */
  private static Set<String> features(ConfigNode section, SwitchboardBuilder builder) {
    ConfigNode node = section.get("features");
    if (node == null) {
      return Set.of();
    }
    Set<String> names = new LinkedHashSet<>();
    for (ConfigNode item : node.items()) {
      String feature = item.text().trim();
      apply(item, () -> SwitchName.feature(feature));
      if (!names.add(feature)) {
        throw item.error("feature '" + feature + "' is listed twice");
      }
    }
    if (!names.isEmpty()) {
      builder.features(names.toArray(String[]::new));
    }
    return Set.copyOf(names);
  }

  /** {@code modes: {name: [switch ids]}}; "survival" may be redefined. Returns every mode by name. */
  private static Map<String, Mode> modes(ConfigNode section, SwitchIds switches, SwitchboardBuilder builder) {
    Map<String, Mode> modes = new LinkedHashMap<>();
    modes.put(Mode.SURVIVAL, Mode.survival());
    ConfigNode node = section.get("modes");
    if (node == null) {
      return modes;
    }
    for (Map.Entry<String, ConfigNode> entry : node.entries().entrySet()) {
      List<SwitchName> names = new ArrayList<>(switches.readAll(entry.getValue()));
      Mode mode = apply(entry.getValue(), () -> Mode.degrading(entry.getKey(), names.toArray(SwitchName[]::new)));
      builder.mode(mode);
      modes.put(mode.name(), mode);
    }
    return modes;
  }

  /**
   * {@code redis: true|false}; absent means "if the context has a resource named redis". The resource is a
   * {@link RedisClient} (one server, Sentinel) or a {@link RedisClusterClient}.
   */
  private static Object redis(ConfigNode section, ConfigContext context) {
    ConfigNode node = section.get("redis");
    if (node == null) { // present is enough to mean "use it": a resource of the wrong type is an error
      return context.resources().containsKey("redis") ? apply(section, () -> redisResource(context)) : null;
    }
    if (!section.bool("redis", null)) {
      return null;
    }
    return apply(node, () -> redisResource(context));
  }

  private static Object redisResource(ConfigContext context) {
    Object resource = context.resources().get("redis");
    if (resource instanceof RedisClusterClient) {
      return resource;
    }
    if (resource instanceof RedisClient) {
      return resource;
    }
    throw new IllegalArgumentException("The configuration needs a RedisClient or RedisClusterClient resource named"
        + " 'redis' in its ConfigContext" + (resource == null ? "" : ", found a " + resource.getClass().getName()));
  }

  private static Duration positive(ConfigNode section, String key, Duration defaultValue) {
    Duration value = section.duration(key, defaultValue);
    if (value.isZero()) {
      throw section.get(key).error("must be longer than 0");
    }
    return value;
  }

  /** Runs a builder step, reporting what it rejects at {@code node}'s line. */
  private static <T> T apply(ConfigNode node, Supplier<T> step) {
    try {
      return step.get();
    } catch (ConfigException e) {
      throw e;
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw node.error(e.getMessage());
    }
  }
}
