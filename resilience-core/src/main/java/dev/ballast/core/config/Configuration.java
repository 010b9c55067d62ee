package dev.ballast.core.config;

import dev.ballast.core.Registry;
import dev.ballast.core.internal.Check;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * A Ballast configuration file, with its {@code extends} chain resolved, ready to build a
 * {@link Registry} of named components.
 * <pre>{@code
 * # payments.yaml
 * extends: external-api              # a shipped preset, a relative file such as base.yaml, or a list
 *                                    # of them ([spike-protection, external-api]: later ones win)
 * rateLimiters:
 *   payments:
 *     rate: 50/s                     # override the preset's vendor quota
 * }</pre>
 * <pre>{@code
 * Registry registry = Configuration.load(Path.of("payments.yaml")).buildRegistry(ConfigContext.defaults());
 * }</pre>
 * A file that extends another is laid over it: maps merge key by key, any other value replaces the
 * inherited one. A list of parents is laid over each other in order first. Every error (bad YAML, an unknown or misspelt key, a wrong type, a value out of range)
 * is a {@link ConfigException} that gives the file, the line and the key.
 */
public final class Configuration {

  /** Where shipped presets live on the class path. */
  static final String PRESETS = "/dev/ballast/presets/";

  /** The presets shipped in this jar. */
  public static final Set<String> SHIPPED_PRESETS =
      Set.of("read-heavy-api", "external-api", "background-jobs", "write-critical", "spike-protection");

  /** Sections other modules contribute, so a missing module is named rather than called a misspelling. */
  private static final Map<String, String> MODULE_SECTIONS = Map.of(
      "caches", "dev.ballast:cache-tiers",
      "switchboard", "dev.ballast:degradation",
      "queues", "dev.ballast:queue-backoff");

  private static final String EXTENDS = "extends";

  private final ConfigNode root;

  private Configuration(ConfigNode root) {
    this.root = root;
  }

  /**
   * Loads a configuration file and what it extends.
   *
   * @throws ConfigException if the file or one it extends is invalid
   * @throws UncheckedIOException if a file cannot be read
   */
  public static Configuration load(Path file) {
    Check.notNull(file, "file");
    Path absolute = file.toAbsolutePath().normalize(); // Path.of("ballast.yaml") has no parent of its own
    return new Configuration(resolve(read(absolute), absolute.getParent(), new HashSet<>()));
  }

  /**
   * Loads a preset shipped with Ballast ({@link #SHIPPED_PRESETS}).
   *
   * @throws IllegalArgumentException if there is no such preset
   */
  public static Configuration preset(String name) {
    return new Configuration(resolve(readPreset(name, null), null, new HashSet<>()));
  }

  /**
   * Parses YAML text; {@code source} names it in error messages. It may extend presets, not files.
   *
   * @throws ConfigException if it is invalid
   */
  public static Configuration parse(String yaml, String source) {
    return new Configuration(resolve(YamlTree.parse(Check.notNull(yaml, "yaml"), source), null, new HashSet<>()));
  }

  /** The merged configuration tree, without the {@code extends} key. */
  public ConfigNode root() {
    return root;
  }

  /**
   * Builds every component the configuration describes, with the sections of every Ballast module on
   * the class path.
   *
   * @throws ConfigException for an unknown section or an invalid entry
   */
  public Registry buildRegistry(ConfigContext context) {
    Map<String, ConfigSection> sections = new LinkedHashMap<>();
    for (ConfigSection section : ServiceLoader.load(ConfigSection.class, Configuration.class.getClassLoader())) {
      sections.put(section.key(), section);
    }
    return buildRegistry(context, List.copyOf(sections.values()));
  }

  /** Builds with exactly {@code sections} (for tests, or to leave some out). */
  public Registry buildRegistry(ConfigContext context, List<ConfigSection> sections) {
    Check.notNull(context, "context");
    Map<String, ConfigSection> byKey = new LinkedHashMap<>();
    sections.forEach(section -> byKey.put(section.key(), section));
    root.entries().forEach((key, node) -> {
      String module = MODULE_SECTIONS.get(key);
      if (module != null && !byKey.containsKey(key)) {
        throw node.error("this section is built by " + module + ", which is not on the class path");
      }
    });
    root.allowOnly(byKey.keySet());
    List<ConfigSection> inOrder = new ArrayList<>(byKey.values());
    inOrder.sort(Comparator.comparingInt(ConfigSection::order)); // stable: equal orders keep discovery order
    Registry.Builder registry = Registry.builder();
    try {
      for (ConfigSection section : inOrder) {
        ConfigNode node = root.get(section.key());
        if (node != null) {
          section.build(node, context, registry);
        }
      }
    } catch (RuntimeException | Error e) {
      closeQuietly(registry.build(), e); // what was built before the failure holds connections and threads
      throw e;
    }
    return registry.build();
  }

  private static void closeQuietly(Registry partial, Throwable cause) {
    try {
      partial.close();
    } catch (Exception e) {
      cause.addSuppressed(e);
    }
  }

  private static ConfigNode resolve(ConfigNode node, Path directory, Set<String> chain) {
    Set<String> seen = new HashSet<>(chain); // per branch: two presets may extend a common one
    if (!seen.add(node.source())) {
      throw node.error("extends itself through " + seen);
    }
    ConfigNode parentRef = node.get(EXTENDS);
    Map<String, ConfigNode> own = new LinkedHashMap<>(node.entries());
    own.remove(EXTENDS);
    ConfigNode self = ConfigNode.map(node.source(), node.line(), node.path(), own);
    if (parentRef == null) {
      return self;
    }
    // extends: [a, b] lays b over a, then this file over both.
    List<ConfigNode> parents = parentRef.isList() ? parentRef.items() : List.of(parentRef);
    ConfigNode base = null;
    for (ConfigNode parent : parents) {
      ConfigNode resolved = resolveParent(parent, directory, seen);
      base = base == null ? resolved : resolved.over(base);
    }
    return base == null ? self : self.over(base);
  }

  private static ConfigNode resolveParent(ConfigNode reference, Path directory, Set<String> seen) {
    String name = reference.text().trim();
    boolean isFile = name.endsWith(".yaml") || name.endsWith(".yml");
    ConfigNode parent = isFile ? readRelative(reference, name, directory) : readPreset(name, reference);
    // A file's own extends are relative to that file; a preset can only extend presets.
    Path parentDirectory = isFile ? resolveFile(directory, name).getParent() : null;
    return resolve(parent, parentDirectory, seen);
  }

  private static ConfigNode readRelative(ConfigNode reference, String name, Path directory) {
    if (directory == null) {
      throw reference.error("can only extend a file from a configuration loaded from a file; use a preset name");
    }
    Path file = resolveFile(directory, name);
    if (!Files.isRegularFile(file)) {
      throw reference.error("extends " + file + ", which does not exist");
    }
    return read(file);
  }

  private static Path resolveFile(Path directory, String name) {
    return directory.resolve(name).normalize();
  }

  private static ConfigNode readPreset(String name, ConfigNode reference) {
    try (InputStream in = Configuration.class.getResourceAsStream(PRESETS + name + ".yaml")) {
      if (in == null) {
        String problem = "no preset named '" + name + "'"
            + Suggestions.closest(name, SHIPPED_PRESETS).map(s -> "; did you mean '" + s + "'?").orElse("")
            + " Presets: " + new java.util.TreeSet<>(SHIPPED_PRESETS);
        if (reference != null) {
          throw reference.error(problem);
        }
        throw new IllegalArgumentException(problem);
      }
      return YamlTree.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), "preset:" + name);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read preset " + name, e);
    }
  }

  private static ConfigNode read(Path file) {
    try {
      return YamlTree.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read configuration " + file, e);
    }
  }
}
