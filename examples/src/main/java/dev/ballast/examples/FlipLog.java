package dev.ballast.examples;

import dev.ballast.degradation.Switch;
import dev.ballast.degradation.SwitchChange;
import dev.ballast.degradation.Switchboard;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Collects the switchboard's flips during a run, timed from the start of the recorded phases, for the
 * console, the report's markers and the test. A {@link Switchboard.Listener}: called on whatever thread
 * made the change, so it only appends.
 */
final class FlipLog implements Switchboard.Listener {

  /**
   * One switch changed position.
   *
   * @param atSeconds seconds since the recorded phases started (negative: during the warm-up)
   * @param switchId e.g. {@code serve-cached} or {@code feature:recommendations}
   * @param degraded whether it moved into its degraded position
   * @param who the operator, or {@code auto:<trigger>@<instance>}
   * @param why the reason given
   */
  record Flip(double atSeconds, String switchId, boolean degraded, String who, String why) {

    /** A short label, e.g. "serve-cached on" or "recommendations off". */
    String label() {
      String name = switchId.equals("feature:*") ? "all features"
          : switchId.startsWith("feature:") ? switchId.substring("feature:".length()) : switchId;
      boolean on = switchId.startsWith("feature:") ? !degraded : degraded;
      return name + (on ? " on" : " off");
    }
  }

  private final List<Flip> flips = new CopyOnWriteArrayList<>();
  private volatile long startNanos = System.nanoTime();

  /** Times later flips from {@code nanos}. */
  void startAt(long nanos) {
    startNanos = nanos;
    flips.clear(); // flips of the warm-up are not part of the recorded run
  }

  @Override
  public void onChange(SwitchChange change) {
    Switch before = change.before();
    Switch after = change.after();
    if (before != null && before.on() == after.on()) {
      return; // same position, new reason or origin: not a flip
    }
    double at = (System.nanoTime() - startNanos) / 1e9;
    flips.add(new Flip(at, after.name().id(), after.degraded(), after.who(), after.why()));
  }

  List<Flip> flips() {
    return List.copyOf(flips);
  }
}
