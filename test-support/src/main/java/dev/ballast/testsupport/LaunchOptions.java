package dev.ballast.testsupport;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntSupplier;

/**
 * How to launch a local server, as built by {@link RedisServer.Builder}.
 *
 * @param appendOnly whether to persist with an always-fsynced append-only file
 * @param debugCommand whether to allow {@code DEBUG} (a directive only Redis 7 and newer need)
 * @param sentinel whether to run as a Sentinel (a config file of its own, {@code --sentinel})
 * @param config extra {@code redis-server} directives, name to value
 * @param binary where the executable comes from (see {@link RedisBinary}); null reads the system property
 *     {@value RedisBinary#PROPERTY} at launch
 * @param ports chooses a candidate port for the first launch
 */
record LaunchOptions(
    boolean appendOnly,
    boolean debugCommand,
    boolean sentinel,
    Map<String, String> config, String binary, IntSupplier ports) {

  LaunchOptions {
    config = Collections.unmodifiableMap(new LinkedHashMap<>(config));
    Objects.requireNonNull(ports, "ports");
  }

  /** Returns the binary spec to resolve now, falling back to the system property. */
  String binarySpec() {
    return binary != null ? binary : System.getProperty(RedisBinary.PROPERTY);
  }
}
