package dev.ballast.core.internal;

import java.util.HashSet;
import java.util.Set;

/**
 * Remembers which builder options were set explicitly, so a builder can fail fast when one is set twice
 * (usually a copy-paste mistake) while {@code toBuilder()} copies may still override each option once.
 * Not thread-safe, like the builders that use it.
 */
public final class OptionsSet {

  private final String owner;
  private final Set<String> set = new HashSet<>();

  /** @param owner how messages name the builder, e.g. {@code "RateLimiter"} */
  public OptionsSet(String owner) {
    this.owner = owner;
  }

  /**
   * Records that {@code option} is being set.
   *
   * @throws IllegalStateException if it was set before on this builder
   */
  public void claim(String option) {
    if (!set.add(option)) {
      throw new IllegalStateException(owner + "." + option + " was already set on this builder");
    }
  }

  /** Whether {@code option} was set explicitly. */
  public boolean isSet(String option) {
    return set.contains(option);
  }
}
