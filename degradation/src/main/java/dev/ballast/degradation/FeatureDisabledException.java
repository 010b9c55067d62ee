package dev.ballast.degradation;

import dev.ballast.core.CallRejectedException;
import java.util.Locale;

/**
 * Thrown (or, for an asynchronous method, the failure of the returned stage) when a call to a
 * {@link dev.ballast.degradation.annotation.Feature @Feature} method finds its feature switched off: the
 * call never reached the implementation, so an outer {@code @Fallback} fallback answers instead. Its
 * message says since when, set by whom and why, e.g. {@code "feature 'recommendations' is off in
 * switchboard 'shop' since 2026-11-23T21:30:00Z, set by alice (manual): origin at 95% CPU"}. Like every
 * {@link CallRejectedException} it carries no stack trace.
 */
public final class FeatureDisabledException extends CallRejectedException {

  private static final long serialVersionUID = 1L;

  private final transient Switch feature;

  /**
   * @param switchboard the switchboard's name
   * @param feature the feature's switch as it was when the call was refused
   * @throws NullPointerException if {@code feature} is null
   */
  public FeatureDisabledException(String switchboard, Switch feature) {
    super(switchboard, "feature '" + feature.name().featureName() + "' is off in switchboard '" + switchboard
        + "' since " + feature.since() + ", set by " + feature.who() + " ("
        + feature.origin().name().toLowerCase(Locale.ROOT) + "): " + feature.why());
    this.feature = feature;
  }

  /** The feature's name. */
  public String featureName() {
    return feature.name().featureName();
  }

  /** The feature's switch when the call was refused: who turned it off, why, since when. */
  public Switch featureSwitch() {
    return feature;
  }
}
