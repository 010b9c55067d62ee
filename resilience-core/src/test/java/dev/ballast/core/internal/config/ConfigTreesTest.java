package dev.ballast.core.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.core.config.spi.ConfigNode;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ConfigNode's factories reach the loader through ConfigTrees only, and cannot be replaced. */
class ConfigTreesTest {

  @Test
  void configNodeOffersSectionsNoWayToMakeNodes() {
    assertThat(Arrays.stream(ConfigNode.class.getDeclaredConstructors()))
        .allMatch(c -> Modifier.isPrivate(c.getModifiers()));
    assertThat(Arrays.stream(ConfigNode.class.getDeclaredMethods())
        .filter(m -> Modifier.isStatic(m.getModifiers()) && m.getReturnType() == ConfigNode.class))
        .allMatch(m -> Modifier.isPrivate(m.getModifiers()));
  }

  @Test
  void theLoaderBuildsAndMergesTreesThroughTheInstalledFactory() {
    ConfigTrees.Factory nodes = ConfigTrees.nodes();
    ConfigNode base = nodes.map("base.yaml", 1, "", "", Map.of(
        "a", nodes.scalar("base.yaml", 2, "a", "a", "1"),
        "b", nodes.scalar("base.yaml", 3, "b", "b", "2")));
    ConfigNode top = nodes.map("top.yaml", 1, "", "", Map.of(
        "b", nodes.list("top.yaml", 2, "b", "b", List.of(nodes.scalar("top.yaml", 3, "b[0]", "b[0]", "x")))));
    ConfigNode merged = nodes.over(top, base);
    assertThat(merged.get("a").text()).isEqualTo("1");
    assertThat(merged.get("b").items()).extracting(ConfigNode::text).containsExactly("x");
    assertThat(merged.get("b").source()).isEqualTo("top.yaml");
    assertThat(nodes.childPath("retries", "typo.maxAttempts")).isEqualTo("retries.\"typo.maxAttempts\"");
  }

  @Test
  void aSecondFactoryIsRefused() {
    ConfigTrees.Factory installed = ConfigTrees.nodes();
    assertThatThrownBy(() -> ConfigTrees.install(installed)).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ConfigNode");
    assertThat(ConfigTrees.nodes()).isSameAs(installed);
  }
}
