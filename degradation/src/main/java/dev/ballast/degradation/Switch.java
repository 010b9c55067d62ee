package dev.ballast.degradation;

import java.time.Instant;

/**
 * The position of one switch at one moment, with who set it, why and since when. Immutable: read it
 * again from the {@link Switchboard} to see later changes.
 *
 * @param name which switch
 * @param on its position: for serve-cached and read-only, on means the degraded behaviour is active; for
 *     a feature, on means the feature is enabled
 * @param origin what decided the position
 * @param who who or what set it, e.g. {@code "alice"} or {@code "trigger:slow-checkout@host-1"};
 *     {@code "default"} for the normal position nobody asked for
 * @param why the reason given
 * @param since when it took this position, by the wall clock (Redis {@code TIME} for fleet changes)
 */
public record Switch(SwitchName name, boolean on, Origin origin, String who, String why, Instant since) {

  /** What decided a switch's position, from the strongest to the weakest. */
  public enum Origin {
    /** Set by hand with {@link Switchboard#degrade} or {@link Switchboard#restore}; wins until {@link Switchboard#release}. */
    MANUAL,
    /** Part of a mode entered by hand with {@link Switchboard#enterMode}. */
    MODE,
    /** Set by a {@link Trigger}. */
    AUTOMATIC,
    /** Nobody asked: the normal position. */
    DEFAULT
  }

  /** Whether the switch is in its degraded position (serve-cached or read-only on, a feature off). */
  public boolean degraded() {
    return on == name.degradedPosition();
  }

  @Override
  public String toString() {
    return name + "=" + (on ? "on" : "off") + " (" + origin.name().toLowerCase(java.util.Locale.ROOT) + ", by "
        + who + " since " + since + ": " + why + ")";
  }
}
