package dev.ballast.spring;

import dev.ballast.core.config.ConfigException;
import dev.ballast.core.config.Configuration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.springframework.boot.context.properties.source.ConfigurationProperty;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName.Form;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.IterableConfigurationPropertySource;
import org.springframework.boot.origin.Origin;
import org.springframework.boot.origin.PropertySourceOrigin;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.env.Environment;
import org.jspecify.annotations.Nullable;

/**
 * Reads the {@code ballast.*} subtree of Spring's {@link Environment} into a Ballast {@link Configuration}, so
 * application.yml, profiles, command-line arguments and environment variables all feed the same loader, sections
 * and validation as a Ballast YAML file.
 *
 * <p>Why render text: {@link Configuration#parse} is the loader's only entry point that takes no file, and it
 * resolves {@code extends:} and checks the YAML exactly as for a file. Every scalar is rendered as a quoted
 * string (Ballast's sections read scalars as text), one line per key, and the line of each key is remembered so
 * an error can be reported at the property's own origin (application.yml and its line, or the environment
 * variable) with the full key path ({@code ballast.retries.payments.maxAtempts}).
 *
 * <p>Precedence is Spring's: each property source gives a tree; a higher source is laid over a lower one (maps
 * merge key by key, a list or a scalar replaces). Spring reports the names of environment variables in lower
 * case, so a key from a higher source that differs from an existing key only in case, dashes and underscores
 * replaces that key ({@code BALLAST_RETRIES_PAYMENTS_MAXATTEMPTS} overrides {@code retries.payments.maxAttempts});
 * a camel-case key that no other source names cannot be created from an environment variable.
 */
final class EnvironmentConfiguration {

  /** The prefix Ballast's keys live under. */
  static final String PREFIX = "ballast";

  /**
   * Keys under {@code ballast} that are not sections of the registry: the starter's own settings, and
   * {@code redis}, which Ballast's test support reads as a system property ({@code ballast.redis.binary}) and
   * which would otherwise fail every start of an application tested with it.
   */
  static final Set<String> STARTER_KEYS = Set.of("enabled", "annotations", "cache-manager", "redis");

  private static final String SOURCE = "spring-environment(ballast.*)";

  private final @Nullable Configuration configuration; // null only while an error is located
  private final Map<Integer, Origin> originByLine;

  private EnvironmentConfiguration(@Nullable Configuration configuration, Map<Integer, Origin> originByLine) {
    this.configuration = configuration;
    this.originByLine = originByLine;
  }

  /**
   * Reads {@code ballast.*} from {@code environment}.
   *
   * @throws ConfigException naming the property's origin and key path if the YAML or an {@code extends:} is bad
   */
  static EnvironmentConfiguration read(Environment environment) {
    ConfigurationPropertyName prefix = ConfigurationPropertyName.of(PREFIX);
    List<Map<String, Object>> trees = new ArrayList<>();
    for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
      if (!(source instanceof IterableConfigurationPropertySource iterable)) {
        continue;
      }
      Map<String, Object> tree = new LinkedHashMap<>();
      iterable.filter(prefix::isAncestorOf).stream().forEach(name -> {
        ConfigurationProperty property = iterable.getConfigurationProperty(name);
        if (property != null && property.getValue() != null) {
          Object value = property.getValue();
          String text = value instanceof String s ? environment.resolveRequiredPlaceholders(s) : String.valueOf(value);
          insert(tree, name, new Leaf(text, property.getOrigin()));
        }
      });
      trees.add(tree);
    }
    Map<String, Object> merged = new LinkedHashMap<>();
    for (int i = trees.size() - 1; i >= 0; i--) { // lowest precedence first, each higher one laid over it
      merged = over(trees.get(i), merged);
    }
    STARTER_KEYS.forEach(merged::remove);
    Rendered rendered = new Rendered();
    if (merged.isEmpty()) {
      rendered.text.append("{}\n");
    } else {
      rendered.map(merged, 0);
    }
    EnvironmentConfiguration read = new EnvironmentConfiguration(null, rendered.originByLine);
    try {
      return new EnvironmentConfiguration(Configuration.parse(rendered.text.toString(), SOURCE), rendered.originByLine);
    } catch (ConfigException e) {
      throw read.atOrigin(e);
    }
  }

  /** The configuration read. */
  Configuration configuration() {
    return configuration;
  }

  /**
   * The same error at the property's origin, with the key's full path: {@code class path resource
   * [application.yml] - 5:7:0: ballast.retries.payments.maxAtempts: unknown key; did you mean 'maxAttempts'?}.
   * Errors from presets or files named by {@code extends:} are returned as they are.
   */
  ConfigException atOrigin(ConfigException error) {
    if (!SOURCE.equals(error.source())) {
      return error;
    }
    Origin origin = originByLine.get(error.line());
    TextResourceOrigin text = textOrigin(origin);
    String where = text != null && text.getResource() != null ? text.getResource().getDescription()
        : origin != null ? origin.toString() : "spring environment";
    int line = text != null && text.getLocation() != null ? text.getLocation().getLine() + 1 : 0;
    String path = error.path().isEmpty() ? PREFIX : PREFIX + "." + error.path();
    String prefix = error.source() + ":" + error.line() + ": " + (error.path().isEmpty() ? "" : error.path() + ": ");
    String problem = error.getMessage().startsWith(prefix)
        ? error.getMessage().substring(prefix.length()) : error.getMessage();
    ConfigException located = new ConfigException(where, line, path, problem);
    located.initCause(error);
    return located;
  }

  /** The file and line behind {@code origin} (Spring wraps it in the property source's origin). */
  private static @Nullable TextResourceOrigin textOrigin(@Nullable Origin origin) {
    for (Origin o = origin; o != null; o = o.getParent()) {
      if (o instanceof TextResourceOrigin text) {
        return text;
      }
      if (o instanceof PropertySourceOrigin wrapped && wrapped.getOrigin() != null) {
        return textOrigin(wrapped.getOrigin());
      }
    }
    return null;
  }

  /** One property's value and where it was set. */
  private record Leaf(String text, @Nullable Origin origin) {}

  @SuppressWarnings("unchecked")
  private static void insert(Map<String, Object> tree, ConfigurationPropertyName name, Leaf leaf) {
    Object node = tree;
    int elements = name.getNumberOfElements();
    for (int i = 1; i < elements; i++) { // element 0 is "ballast"
      boolean last = i == elements - 1;
      boolean nextIsIndex = !last && name.isNumericIndex(i + 1);
      Object child = last ? leaf : nextIsIndex ? new ArrayList<>() : new LinkedHashMap<String, Object>();
      if (node instanceof Map<?, ?> map) {
        Map<String, Object> m = (Map<String, Object>) map;
        String key = name.getElement(i, Form.ORIGINAL);
        Object existing = m.get(key);
        if (existing == null || last) {
          m.put(key, child);
          existing = child;
        } else if (existing instanceof Leaf || (existing instanceof List) != nextIsIndex) {
          return; // the same source sets both ballast.a and ballast.a.b: the first one read stands
        }
        node = existing;
      } else if (node instanceof List<?> list && name.isNumericIndex(i)) {
        List<Object> items = (List<Object>) list;
        int index = Integer.parseInt(name.getElement(i, Form.ORIGINAL));
        while (items.size() <= index) {
          items.add(null);
        }
        if (items.get(index) == null || last) {
          items.set(index, child);
        }
        node = items.get(index);
      } else {
        return;
      }
    }
  }

  /** Lays {@code top} over {@code base}: maps merge key by key (keys matched as Spring relaxes them). */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> over(Map<String, Object> top, Map<String, Object> base) {
    Map<String, Object> merged = new LinkedHashMap<>(base);
    top.forEach((key, value) -> {
      String existingKey = relaxedMatch(merged, key);
      Object existing = existingKey == null ? null : merged.get(existingKey);
      String target = existingKey == null ? key : existingKey;
      if (existing instanceof Map<?, ?> baseMap && value instanceof Map<?, ?> topMap) {
        merged.put(target, over((Map<String, Object>) topMap, (Map<String, Object>) baseMap));
      } else {
        merged.put(target, value);
      }
    });
    return merged;
  }

  private static @Nullable String relaxedMatch(Map<String, Object> map, String key) {
    if (map.containsKey(key)) {
      return key;
    }
    String wanted = canonical(key);
    for (String candidate : map.keySet()) {
      if (canonical(candidate).equals(wanted)) {
        return candidate;
      }
    }
    return null;
  }

  private static String canonical(String key) {
    return key.replace("-", "").replace("_", "").toLowerCase(Locale.ROOT);
  }

  /** The tree as YAML text, every key and scalar a double-quoted string, with each line's origin. */
  private static final class Rendered {
    final StringBuilder text = new StringBuilder();
    final Map<Integer, Origin> originByLine = new LinkedHashMap<>();
    private int line = 1;

    void map(Map<String, Object> map, int indent) {
      map.forEach((key, value) -> {
        text.append(" ".repeat(indent)).append(quoted(key)).append(':');
        value(value, indent);
      });
    }

    @SuppressWarnings("unchecked")
    private void value(Object value, int indent) {
      if (value instanceof Leaf leaf) {
        text.append(' ').append(quoted(leaf.text()));
        endLine(leaf.origin());
      } else if (value instanceof Map<?, ?> map) {
        endLine(firstOrigin(value));
        map((Map<String, Object>) map, indent + 2);
      } else if (value instanceof List<?> list) {
        endLine(firstOrigin(value));
        for (Object item : list) {
          text.append(" ".repeat(indent + 2)).append('-');
          value(item == null ? new Leaf("", null) : item, indent + 2);
        }
      }
    }

    private void endLine(@Nullable Origin origin) {
      text.append('\n');
      if (origin != null) {
        originByLine.put(line, origin);
      }
      line++;
    }

    private static @Nullable Origin firstOrigin(Object value) {
      if (value instanceof Leaf leaf) {
        return leaf.origin();
      }
      Iterable<?> children = value instanceof Map<?, ?> map ? map.values() : (List<?>) value;
      for (Object child : children) {
        Origin origin = child == null ? null : firstOrigin(child);
        if (origin != null) {
          return origin;
        }
      }
      return null;
    }

    /** A JSON string is a valid YAML double-quoted scalar. */
    private static String quoted(String s) {
      StringBuilder out = new StringBuilder(s.length() + 2).append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        switch (c) {
          case '"' -> out.append("\\\"");
          case '\\' -> out.append("\\\\");
          case '\n' -> out.append("\\n");
          case '\t' -> out.append("\\t");
          case '\r' -> out.append("\\r");
          default -> {
            if (c < 0x20 || c == 0x7f) {
              out.append(String.format("\\u%04x", (int) c));
            } else {
              out.append(c);
            }
          }
        }
      }
      return out.append('"').toString();
    }
  }
}
