package dev.ballast.degradation.internal;

import dev.ballast.degradation.Mode;
import dev.ballast.degradation.Trigger;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What {@code SwitchboardBuilder} validated, handed to {@link DefaultSwitchboard}. Immutable. */
public record BoardConfig(String name, Set<String> features, Map<String, Mode> modes, List<Trigger> triggers,
    String keyPrefix, String instanceId, Duration evaluateEvery, Duration refreshEvery, Duration redisTimeout, boolean manualSchedule) {}
