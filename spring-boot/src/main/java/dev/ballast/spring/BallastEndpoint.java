package dev.ballast.spring;

import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.RateLimiter;
import dev.ballast.core.Registry;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.util.ClassUtils;

/**
 * The actuator endpoint {@code ballast}: reads show the switchboards (switches with who, why and since; modes;
 * triggers), the circuit breakers' states, the rate limiters and the caches; writes flip a switch or enter and
 * leave a mode. Writes are off unless {@code management.endpoint.ballast.access=unrestricted} (the endpoint's
 * default access is read-only), and are secured as every actuator write is (Spring Security when present).
 */
@Endpoint(id = "ballast", defaultAccess = Access.READ_ONLY)
public class BallastEndpoint {

  private static final boolean DEGRADATION =
      ClassUtils.isPresent("dev.ballast.degradation.Switchboard", BallastEndpoint.class.getClassLoader());
  private static final String CACHE_SPEC = "dev.ballast.cache.CacheSpec";

  private final Registry registry;

  /**
   * An endpoint over {@code registry}.
   *
   * @param registry what it shows and flips
   */
  public BallastEndpoint(Registry registry) {
    this.registry = registry;
  }

  /**
   * What the registry holds and the state of its switchboards and breakers.
   *
   * @return a JSON-ready view
   */
  @ReadOperation
  public Map<String, Object> ballast() {
    Map<String, Object> view = new LinkedHashMap<>();
    if (DEGRADATION) {
      view.put("switchboards", SwitchboardView.all(registry));
    }
    Map<String, Object> breakers = new LinkedHashMap<>();
    for (String name : registry.namesOf(CircuitBreaker.class)) {
      breakers.put(name, String.valueOf(registry.get(name, CircuitBreaker.class).state()));
    }
    view.put("circuitBreakers", breakers);
    view.put("rateLimiters", registry.namesOf(RateLimiter.class));
    if (ClassUtils.isPresent(CACHE_SPEC, BallastEndpoint.class.getClassLoader())) {
      view.put("caches", CacheNames.of(registry));
    }
    return view;
  }

  /**
   * Flips a switch ({@code serve-cached}, {@code read-only}, {@code feature:<name>}) of a switchboard, or enters
   * or leaves a mode when {@code mode} is given instead of {@code switchName}.
   *
   * @param switchboard the switchboard's name
   * @param switchName the switch's id, or null when {@code mode} is given
   * @param mode a mode's name, or null when {@code switchName} is given
   * @param degraded true to degrade (or enter the mode), false to restore (or leave it)
   * @param who who flips it, for the log and the switch's record
   * @param why why, for the log and the switch's record
   * @return the switchboard after the change
   * @throws IllegalArgumentException if the switchboard, switch or mode is unknown, or neither or both of
   *     {@code switchName} and {@code mode} are given
   */
  @WriteOperation
  public Map<String, Object> flip(String switchboard, @Nullable String switchName, @Nullable String mode,
      boolean degraded, String who, String why) {
    if (!DEGRADATION) {
      throw new IllegalArgumentException("no switchboards: dev.ballast:ballast-degradation is not on the class path");
    }
    if ((switchName == null) == (mode == null)) {
      throw new IllegalArgumentException("give either switchName or mode");
    }
    return switchName != null
        ? SwitchboardView.flip(registry, switchboard, switchName, degraded, who, why)
        : SwitchboardView.mode(registry, switchboard, mode, degraded, who, why);
  }

  /** Cache names, in a class of its own so cache-tiers is loaded only when present. */
  private static final class CacheNames {
    static Object of(Registry registry) {
      return registry.namesOf(dev.ballast.cache.CacheSpec.class);
    }
  }
}
