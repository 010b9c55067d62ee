package dev.ballast.degradation.internal;

import dev.ballast.degradation.Switch;
import dev.ballast.degradation.SwitchName;
import java.util.Map;

/**
 * One thing that holds switches in a position: a manual setting ({@code switch:<id>}), a mode entered by
 * hand ({@code mode:<name>}) or an engaged trigger ({@code auto:<trigger>} locally, {@code
 * auto:<trigger>@<instance>} fleet-wide, leased: see {@link FleetSync}). The field is its identity, in
 * Redis the hash field. Entries carry their switch positions, so an instance can apply a mode or trigger
 * it has not configured.
 *
 * @param field the identity, prefixed by kind
 * @param sinceMillis when it was set, epoch millis
 * @param who who set it
 * @param why the reason
 * @param settings the positions it holds
 */
record Entry(String field, long sinceMillis, String who, String why, Map<SwitchName, Boolean> settings) {

  static final String MANUAL = "switch:";
  static final String MODE = "mode:";
  static final String AUTO = "auto:";

  Entry {
    settings = Map.copyOf(settings);
  }

  Switch.Origin origin() {
    if (field.startsWith(MANUAL)) {
      return Switch.Origin.MANUAL;
    }
    return field.startsWith(MODE) ? Switch.Origin.MODE : Switch.Origin.AUTOMATIC;
  }

  /** The same entry with another time (the one Redis stamped). */
  Entry at(long millis) {
    return new Entry(field, millis, who, why, settings);
  }
}
