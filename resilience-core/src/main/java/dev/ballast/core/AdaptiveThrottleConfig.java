package dev.ballast.core;

import dev.ballast.core.internal.Check;
import java.time.Duration;

/**
 * The settings of an {@link AdaptiveThrottle}, validated at construction.
 *
 * @param name names the throttle in metrics, messages and the registry
 * @param k the SRE book's multiplier: the throttle starts refusing once requests exceed {@code k} times
 *     the accepted ones (at least 1; 2 is the book's default; lower is more aggressive)
 * @param window how far back requests and accepts count (the book uses two minutes)
 */
public record AdaptiveThrottleConfig(String name, double k, Duration window) {

  /**
   * @throws IllegalArgumentException naming the first invalid field
   * @throws NullPointerException if {@code name} or {@code window} is null
   */
  public AdaptiveThrottleConfig {
    Check.notBlank(name, "AdaptiveThrottle.name");
    Check.atLeast(k, 1.0, "AdaptiveThrottle.k");
    Check.positive(window, "AdaptiveThrottle.window");
    if (window.toMillis() < 20) {
      throw new IllegalArgumentException("AdaptiveThrottle.window must be at least 20ms, was " + window);
    }
  }
}
