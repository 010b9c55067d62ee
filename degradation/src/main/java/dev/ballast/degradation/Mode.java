package dev.ballast.degradation;

import dev.ballast.core.internal.Check;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A named set of switch positions entered and left as one, e.g. {@link #survival()}: serve cached data,
 * refuse writes, turn every non-critical feature off.
 *
 * <pre>{@code
 * Mode checkoutOnly = Mode.degrading("checkout-only", SwitchName.SERVE_CACHED, SwitchName.feature("reviews"));
 * }</pre>
 *
 * @param name the mode's name (letters, digits, '.', '_', '-')
 * @param settings the position each switch takes while the mode is on; an unmodifiable copy
 */
public record Mode(String name, Map<SwitchName, Boolean> settings) {

  /** The name of {@link #survival()}. */
  public static final String SURVIVAL = "survival";

  /**
   * @throws NullPointerException if an argument, a key or a value is null
   * @throws IllegalArgumentException if the name is malformed or there are no settings
   */
  public Mode {
    SwitchName.checkName(name, "Mode.name");
    Check.notNull(settings, "Mode.settings");
    if (settings.isEmpty()) {
      throw new IllegalArgumentException("Mode.settings must name at least one switch (mode '" + name + "')");
    }
    settings = Map.copyOf(settings);
  }

  /**
   * A mode that puts each of {@code switches} in its degraded position (serve-cached and read-only on,
   * features off).
   *
   * @throws IllegalArgumentException if no switch is given or the name is malformed
   */
  public static Mode degrading(String name, SwitchName... switches) {
    Check.notNull(switches, "Mode.switches");
    Map<SwitchName, Boolean> settings = new LinkedHashMap<>();
    for (SwitchName s : switches) {
      settings.put(Check.notNull(s, "Mode.switches[]"), s.degradedPosition());
    }
    return new Mode(name, settings);
  }

  /** The predefined "survival" mode: serve-cached on, read-only on, every non-critical feature off. */
  public static Mode survival() {
    return degrading(SURVIVAL, SwitchName.SERVE_CACHED, SwitchName.READ_ONLY, SwitchName.ALL_FEATURES);
  }
}
