package dev.ballast.degradation.internal;

import dev.ballast.degradation.Switch;
import dev.ballast.degradation.SwitchName;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every switch's position at one moment; immutable, published through one volatile field so that reads
 * take no lock and allocate nothing.
 *
 * @param serveCached the serve-cached switch
 * @param readOnly the read-only switch
 * @param features every declared feature and every feature some entry names, by feature name
 * @param otherFeatures the position of any other feature ({@link SwitchName#ALL_FEATURES})
 * @param activeModes the modes entered by hand
 */
record Snapshot(Switch serveCached, Switch readOnly, Map<String, Switch> features, Switch otherFeatures,
    Set<String> activeModes) {

  /** Serve-cached, read-only, every named feature, and the all-features switch last. */
  List<Switch> all() {
    List<Switch> all = new ArrayList<>(features.size() + 3);
    all.add(serveCached);
    all.add(readOnly);
    features.keySet().stream().sorted().forEach(f -> all.add(features.get(f)));
    all.add(otherFeatures);
    return all;
  }

  Switch get(SwitchName name) {
    if (name.equals(SwitchName.SERVE_CACHED)) {
      return serveCached;
    }
    if (name.equals(SwitchName.READ_ONLY)) {
      return readOnly;
    }
    if (name.equals(SwitchName.ALL_FEATURES)) {
      return otherFeatures;
    }
    Switch s = features.get(name.featureName());
    return s != null ? s : new Switch(name, otherFeatures.on(), otherFeatures.origin(), otherFeatures.who(),
        otherFeatures.why(), otherFeatures.since());
  }
}
