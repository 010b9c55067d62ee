package dev.ballast.core.internal.config;

import dev.ballast.core.config.spi.ConfigNode;
import java.util.List;
import java.util.Map;

/**
 * How the configuration loader builds and merges {@link ConfigNode} trees. Not API: {@code ConfigNode} is
 * part of the section SPI and must not offer its factories to section authors, so it hands them here, to
 * the internal package the loader reads, when its class initialises (the "shared secrets" pattern of the
 * JDK). A second installation is refused, so no other class can replace the factory.
 */
public final class ConfigTrees {

  /** The node factories, implemented inside {@code ConfigNode}. */
  public interface Factory {

    /** A scalar node holding {@code text}. */
    ConfigNode scalar(String source, int line, String path, String key, String text);

    /** A map node holding a copy of {@code entries}, in their order. */
    ConfigNode map(String source, int line, String path, String key, Map<String, ConfigNode> entries);

    /** A list node holding a copy of {@code items}. */
    ConfigNode list(String source, int line, String path, String key, List<ConfigNode> items);

    /** The dotted path of {@code key} under {@code parent}, quoting a key that holds a dot, quote or bracket. */
    String childPath(String parent, String key);

    /** {@code top} laid over {@code base}: maps merge key by key, anything else replaces (for {@code extends}). */
    ConfigNode over(ConfigNode top, ConfigNode base);
  }

  private static volatile Factory factory;

  private ConfigTrees() {}

  /**
   * Called once, by {@code ConfigNode}'s static initialiser.
   *
   * @throws IllegalStateException if a factory is already installed
   */
  public static synchronized void install(Factory nodes) {
    initialise(); // so that ConfigNode's own factory always comes first
    if (factory != null) {
      throw new IllegalStateException("the ConfigNode factory is installed by ConfigNode only");
    }
    factory = nodes;
  }

  /** The factory {@code ConfigNode} installed. */
  public static Factory nodes() {
    Factory installed = factory;
    if (installed == null) {
      initialise();
      installed = factory;
    }
    return installed;
  }

  private static void initialise() {
    try {
      Class.forName(ConfigNode.class.getName(), true, ConfigNode.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException(e); // it is on our own class path
    }
  }
}
