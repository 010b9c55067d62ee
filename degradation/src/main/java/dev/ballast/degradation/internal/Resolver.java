package dev.ballast.degradation.internal;

import dev.ballast.degradation.Switch;
import dev.ballast.degradation.SwitchName;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Turns the entries in force into a {@link Snapshot}: a pure function, so every instance holding the
 * same entries shows the same switches. Precedence: manual, then modes, then triggers, then the normal
 * position; within one level an exact switch beats {@link SwitchName#ALL_FEATURES}, and among entries that
 * disagree the degraded position wins (ties go to the entry whose field sorts first).
 */
final class Resolver {

  private static final List<Switch.Origin> LEVELS =
      List.of(Switch.Origin.MANUAL, Switch.Origin.MODE, Switch.Origin.AUTOMATIC);

  private Resolver() {}

  /**
   * @param previous the snapshot before, so that a switch staying normal keeps its "since"
   * @param nowMillis the time a switch returning to normal is stamped with
   */
  static Snapshot resolve(Collection<Entry> entries, Set<String> declared, Snapshot previous, long nowMillis) {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparing(Entry::field));
    Set<String> featureNames = new TreeSet<>(declared);
    Set<String> modes = new TreeSet<>();
    for (Entry e : sorted) {
      for (SwitchName n : e.settings().keySet()) {
        if (n.isFeature() && !n.equals(SwitchName.ALL_FEATURES)) {
          featureNames.add(n.featureName());
        }
      }
      if (e.origin() == Switch.Origin.MODE) {
        modes.add(e.field().substring(Entry.MODE.length()));
      }
    }
    Map<String, Switch> features = new HashMap<>();
    for (String f : featureNames) {
      SwitchName name = SwitchName.feature(f);
      features.put(f, resolve(name, sorted, previous == null ? null : previous.features().get(f), nowMillis));
    }
    return new Snapshot(
        resolve(SwitchName.SERVE_CACHED, sorted, previous == null ? null : previous.serveCached(), nowMillis),
        resolve(SwitchName.READ_ONLY, sorted, previous == null ? null : previous.readOnly(), nowMillis),
        Map.copyOf(features),
        resolve(SwitchName.ALL_FEATURES, sorted, previous == null ? null : previous.otherFeatures(), nowMillis),
        Set.copyOf(modes));
  }

  private static Switch resolve(SwitchName name, List<Entry> sorted, Switch before, long nowMillis) {
    for (Switch.Origin level : LEVELS) {
      Switch exact = pick(name, name, level, sorted);
      if (exact != null) {
        return exact;
      }
      if (name.isFeature() && !name.equals(SwitchName.ALL_FEATURES)) {
        Switch wide = pick(name, SwitchName.ALL_FEATURES, level, sorted);
        if (wide != null) {
          return wide;
        }
      }
    }
    boolean normal = !name.degradedPosition();
    if (before != null && before.origin() == Switch.Origin.DEFAULT) {
      return before;
    }
    return new Switch(name, normal, Switch.Origin.DEFAULT, "default", "normal position",
        Instant.ofEpochMilli(nowMillis));
  }

  private static Switch pick(SwitchName name, SwitchName key, Switch.Origin level, List<Entry> sorted) {
    Entry chosen = null;
    boolean chosenOn = false;
    for (Entry e : sorted) {
      Boolean on = e.origin() == level ? e.settings().get(key) : null;
      if (on == null) {
        continue;
      }
      if (chosen == null || (on == name.degradedPosition() && chosenOn != name.degradedPosition())) {
        chosen = e;
        chosenOn = on;
      }
    }
    return chosen == null ? null
        : new Switch(name, chosenOn, level, chosen.who(), chosen.why(), Instant.ofEpochMilli(chosen.sinceMillis()));
  }
}
