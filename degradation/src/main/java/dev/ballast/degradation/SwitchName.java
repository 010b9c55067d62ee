package dev.ballast.degradation;

import org.jspecify.annotations.Nullable;
import dev.ballast.core.internal.Check;
import java.util.regex.Pattern;

/**
 * Names one switch of a {@link Switchboard}: {@link #SERVE_CACHED}, {@link #READ_ONLY}, a non-critical
 * feature ({@link #feature(String)}), or {@link #ALL_FEATURES}, which stands for every feature at once.
 *
 * <p>Each switch has a normal and a degraded position: serve-cached and read-only are degraded when on;
 * a feature is degraded when off ({@link #degradedPosition()}). Immutable; equal names are equal objects
 * for {@link #equals}.
 */
public final class SwitchName {

  /** Feature names: letters, digits, '.', '_' and '-', 1 to 100 characters. */
  static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,100}");

  /** Caches serve what they have, even stale, to spare the origin. Degraded when on. */
  public static final SwitchName SERVE_CACHED = new SwitchName("serve-cached", null);

  /** Writes are refused ({@link Switchboard#guardWrite}). Degraded when on. */
  public static final SwitchName READ_ONLY = new SwitchName("read-only", null);

  /**
   * Every non-critical feature, declared or not. Setting it off turns off each feature that has no
   * setting of its own at the same or a higher precedence; see {@link Switchboard}.
   */
  public static final SwitchName ALL_FEATURES = new SwitchName("feature:*", "*");

  private final String id;
  private final @Nullable String feature;

  private SwitchName(String id, @Nullable String feature) {
    this.id = id;
    this.feature = feature;
  }

  /**
   * The switch of one non-critical feature; on means enabled.
   *
   * @throws NullPointerException if {@code name} is null
   * @throws IllegalArgumentException if {@code name} is not 1 to 100 letters, digits, '.', '_' or '-'
   */
  public static SwitchName feature(String name) {
    checkName(name, "feature name");
    return new SwitchName("feature:" + name, name);
  }

  /**
   * Parses what {@link #id()} returns.
   *
   * @throws IllegalArgumentException if {@code id} names no switch
   */
  public static SwitchName parse(String id) {
    Check.notNull(id, "switch id");
    if (id.equals(SERVE_CACHED.id)) {
      return SERVE_CACHED;
    }
    if (id.equals(READ_ONLY.id)) {
      return READ_ONLY;
    }
    if (id.equals(ALL_FEATURES.id)) {
      return ALL_FEATURES;
    }
    if (id.startsWith("feature:")) {
      return feature(id.substring("feature:".length()));
    }
    throw new IllegalArgumentException("switch id '" + id
        + "' is not serve-cached, read-only, feature:* or feature:<name>");
  }

  static String checkName(String name, String field) {
    Check.notNull(name, field);
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(field + " must be 1 to 100 letters, digits, '.', '_' or '-', was '"
          + name + "'");
    }
    return name;
  }

  /** The stable text form, e.g. {@code read-only} or {@code feature:recommendations}; used in Redis and tags. */
  public String id() {
    return id;
  }

  /** Whether this names a feature (or {@link #ALL_FEATURES}). */
  public boolean isFeature() {
    return feature != null;
  }

  /** The feature's name ({@code "*"} for {@link #ALL_FEATURES}), or null for serve-cached and read-only. */
  public @Nullable String featureName() {
    return feature;
  }

  /** The position ({@code isOn}) that means degraded: true for serve-cached and read-only, false for features. */
  public boolean degradedPosition() {
    return feature == null;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof SwitchName name && name.id.equals(id);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return id;
  }
}
