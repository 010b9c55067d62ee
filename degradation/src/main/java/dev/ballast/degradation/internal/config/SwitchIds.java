package dev.ballast.degradation.internal.config;

import dev.ballast.core.config.spi.ConfigNode;
import dev.ballast.degradation.SwitchName;
import dev.ballast.degradation.internal.FeatureNames;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Reads switch ids ({@code serve-cached}, {@code read-only}, {@code feature:*}, {@code feature:<name>})
 * and checks features against the declared ones, so that a typo is reported at its own line rather than
 * when the switchboard is built.
 */
final class SwitchIds {

  private final String board;
  private final Set<String> declared;

  /** @param declared the declared features; empty means any feature name is accepted */
  SwitchIds(String board, Set<String> declared) {
    this.board = board;
    this.declared = declared;
  }

  /** One switch id, from a scalar node. */
  SwitchName read(ConfigNode node) {
    SwitchName name;
    try {
      name = SwitchName.parse(node.text().trim());
    } catch (IllegalArgumentException e) {
      throw node.error(e.getMessage());
    }
    if (!declared.isEmpty() && name.isFeature() && !name.equals(SwitchName.ALL_FEATURES)
        && !declared.contains(name.featureName())) {
      throw node.error(FeatureNames.unknown(board, name.featureName(), declared).getMessage());
    }
    return name;
  }

  /** A list of switch ids, or a single one. */
  List<SwitchName> readAll(ConfigNode node) {
    if (node.isMap()) {
      throw node.error("must be a switch id or a list of them (serve-cached, read-only, feature:*, feature:<name>)");
    }
    List<SwitchName> names = new ArrayList<>();
    if (node.isList()) {
      for (ConfigNode item : node.items()) {
        names.add(read(item));
      }
      if (names.isEmpty()) {
        throw node.error("must name at least one switch");
      }
    } else {
      names.add(read(node));
    }
    return names;
  }
}
