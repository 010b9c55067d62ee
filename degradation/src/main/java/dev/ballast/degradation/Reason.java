package dev.ballast.degradation;

import dev.ballast.core.internal.Check;

/**
 * Who flipped a switch or entered a mode, and why: kept with the switch ({@link Switch#who()},
 * {@link Switch#why()}), logged, and shared with the fleet.
 * <pre>{@code
 * board.degrade(SwitchName.READ_ONLY, new Reason("alice", "database failover"));
 * }</pre>
 *
 * @param who the operator or system responsible; not blank
 * @param why the reason, in words; not null (may be empty)
 */
public record Reason(String who, String why) {

  /**
   * Validates both parts.
   *
   * @throws IllegalArgumentException if {@code who} is blank
   * @throws NullPointerException if {@code who} or {@code why} is null
   */
  public Reason {
    Check.notBlank(who, "Reason.who");
    Check.notNull(why, "Reason.why");
  }
}
