package dev.ballast.core.config;

import dev.ballast.core.Registry;
import dev.ballast.core.config.spi.ConfigNode;
import dev.ballast.core.config.spi.ConfigSection;
import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.config.ConfigTrees;
import dev.ballast.core.internal.config.Suggestions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.regex.Pattern;

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
 * inherited one. Presets come only from the jar's presets folder; files only from the including file's
 * folder or below, unless the application allows more ({@link Loader#allowExtendsFrom}). A list of parents
 * is laid over each other in order first. One load reads at most 64 files and presets through
 * {@code extends} (each counted every time it is extended). Every error (bad YAML, an unknown or misspelt
 * key, a wrong type, a value out of range) is a {@link ConfigException} that gives the file, the line and
 * the key.
 */
public final class Configuration {

  /** Where shipped presets live on the class path. */
  static final String PRESETS = "/dev/ballast/presets/";

  /** The presets shipped in this jar. */
  public static final Set<String> SHIPPED_PRESETS =
      Set.of("read-heavy-api", "external-api", "background-jobs", "write-critical", "spike-protection");

  /** Sections other modules contribute, so a missing module is named rather than called a misspelling. */
  private static final Map<String, String> MODULE_SECTIONS = Map.of(
      "caches", "dev.ballast:ballast-cache-tiers",
      "switchboard", "dev.ballast:ballast-degradation",
      "queues", "dev.ballast:ballast-queue-backoff");

  private static final String EXTENDS = "extends";

  /**
   * Most files (and presets) one load may read through {@code extends}, counting a file each time it is
   * extended: without a cycle, files that each extend the next one ten times still multiply into millions
   * of reads. Real configurations extend a handful.
   */
  static final int MAX_EXTENDED = 64;

  private static final Pattern PRESET_NAME = Pattern.compile("[a-z0-9]+(?:-[a-z0-9]+)*");

  private final ConfigNode root;

  private Configuration(ConfigNode root) {
    this.root = root;
  }

  /**
   * Loads a configuration file and what it extends. A file may extend shipped presets and files in its
   * own folder or below it; to allow another folder, use {@link #loader()}.
   *
   * @throws ConfigException if the file or one it extends is invalid, too large, not UTF-8, or extends a
   *     file outside the folders allowed
   * @throws UncheckedIOException if a file cannot be read
   */
  public static Configuration load(Path file) {
    return loader().load(file);
  }

  /**
   * A loader with options, for an application that keeps shared files outside the configuration's folder:
   * <pre>{@code
   * Configuration config = Configuration.loader()
   *     .allowExtendsFrom(Path.of("/etc/company/ballast"))   // extends: /etc/company/ballast/base.yaml
   *     .load(Path.of("ballast.yaml"));
   * }</pre>
   */
  public static Loader loader() {
    return new Loader();
  }

  /**
   * Loads a preset shipped with Ballast ({@link #SHIPPED_PRESETS}).
   *
   * @throws IllegalArgumentException if there is no such preset
   */
  public static Configuration preset(String name) {
    return new Configuration(resolve(readPreset(name, null), null, new Extends(List.of()), new HashSet<>()));
  }

  /**
   * Parses YAML text; {@code source} names it in error messages. It may extend presets, not files.
   *
   * @throws ConfigException if it is invalid
   */
  public static Configuration parse(String yaml, String source) {
    return new Configuration(
        resolve(YamlTree.parse(Check.notNull(yaml, "yaml"), source), null, new Extends(List.of()), new HashSet<>()));
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

  /**
   * @param directory the folder of the file {@code node} came from (null for a preset or parsed text)
   * @param load what this load may still read
   */
  private static ConfigNode resolve(ConfigNode node, Path directory, Extends load, Set<String> chain) {
    Set<String> seen = new HashSet<>(chain); // per branch: two presets may extend a common one
    if (!seen.add(node.source())) {
      throw node.error("extends itself through " + seen);
    }
    ConfigNode parentRef = node.get(EXTENDS);
    Map<String, ConfigNode> own = new LinkedHashMap<>(node.entries());
    own.remove(EXTENDS);
    ConfigNode self = ConfigTrees.nodes().map(node.source(), node.line(), node.path(), node.key(), own);
    if (parentRef == null) {
      return self;
    }
    // extends: [a, b] lays b over a, then this file over both.
    List<ConfigNode> parents = parentRef.isList() ? parentRef.items() : List.of(parentRef);
    ConfigNode base = null;
    for (ConfigNode parent : parents) {
      ConfigNode resolved = resolveParent(parent, directory, load, seen);
      base = base == null ? resolved : ConfigTrees.nodes().over(resolved, base);
    }
    return base == null ? self : ConfigTrees.nodes().over(self, base);
  }

  private static ConfigNode resolveParent(ConfigNode reference, Path directory, Extends load, Set<String> seen) {
    load.count(reference);
    String name = reference.text().strip(); // not trim(), which also drops control characters
    if (!(name.endsWith(".yaml") || name.endsWith(".yml"))) {
      return resolve(readPreset(name, reference), null, load, seen); // a preset can only extend presets
    }
    Path file = ExtendsPaths.check(reference, name, directory, load.allowed);
    return resolve(read(file), file.getParent(), load, seen); // a file's own extends are relative to it
  }

  /** One load's reading through {@code extends}: the folders allowed, and how many files it has read. */
  private static final class Extends {

    /** Folders the application allows besides each file's own, absolute and normalized. */
    final List<Path> allowed;
    private int read;

    Extends(List<Path> allowed) {
      this.allowed = allowed;
    }

    void count(ConfigNode reference) {
      if (++read > MAX_EXTENDED) {
        throw reference.error("the configuration extends more than " + MAX_EXTENDED + " files and presets in all"
            + " (each counted every time it is extended); is this really a Ballast configuration?");
      }
    }
  }

  private static ConfigNode readPreset(String name, ConfigNode reference) {
    // A plain name, so that '../' or '/' cannot reach other class-path resources.
    InputStream found = PRESET_NAME.matcher(name).matches()
        ? Configuration.class.getResourceAsStream(PRESETS + name + ".yaml") : null;
    if (found == null) {
      String problem = "no preset named '" + name + "'"
          + Suggestions.closest(name, SHIPPED_PRESETS).map(s -> "; did you mean '" + s + "'?").orElse("")
          + " Presets: " + new java.util.TreeSet<>(SHIPPED_PRESETS)
          + "; a file to extend is a relative path ending in .yaml";
      if (reference != null) {
        throw reference.error(problem);
      }
      throw new IllegalArgumentException(problem);
    }
    try (InputStream in = found) {
      return YamlTree.parse(ConfigText.read(in, "preset:" + name), "preset:" + name);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read preset " + name, e);
    }
  }

  private static ConfigNode read(Path file) {
    return YamlTree.parse(ConfigText.read(file), file.toString());
  }

  /**
   * Loads configuration files with options; {@link Configuration#load} is a loader without any. Set each
   * folder once; a loader may load several files.
   */
  public static final class Loader {

    private final List<Path> allowed = new ArrayList<>();

    private Loader() {}

    /**
     * Lets files extend (with {@code extends:}) any {@code .yaml} file in {@code directory} or below it,
     * by absolute path or relative path, besides the files at or below each including file's own folder.
     * Symbolic links are followed before the check.
     *
     * @return this loader
     * @throws NullPointerException if {@code directory} is null
     * @throws IllegalStateException if this folder was already allowed
     */
    public Loader allowExtendsFrom(Path directory) {
      Path folder = Check.notNull(directory, "directory").toAbsolutePath().normalize();
      if (allowed.contains(folder)) {
        throw new IllegalStateException("Configuration.loader().allowExtendsFrom(" + folder + ") is already set");
      }
      allowed.add(folder);
      return this;
    }

    /**
     * Loads a configuration file and what it extends.
     *
     * @throws ConfigException if the file or one it extends is invalid, too large, not UTF-8, extends a
     *     file outside the folders allowed, or extends more than 64 files and presets in all
     * @throws UncheckedIOException if a file cannot be read
     */
    public Configuration load(Path file) {
      Check.notNull(file, "file");
      Path absolute = file.toAbsolutePath().normalize(); // Path.of("ballast.yaml") has no parent of its own
      return new Configuration(
          resolve(read(absolute), absolute.getParent(), new Extends(List.copyOf(allowed)), new HashSet<>()));
    }
  }
}
