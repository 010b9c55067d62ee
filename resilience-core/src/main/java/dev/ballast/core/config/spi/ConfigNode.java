package dev.ballast.core.config.spi;

import dev.ballast.core.Backoff;
import dev.ballast.core.Jitter;
import dev.ballast.core.Rate;
import dev.ballast.core.config.ConfigException;
import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.config.ConfigTrees;
import dev.ballast.core.internal.config.Suggestions;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * One node of a loaded configuration: a map, a list or a scalar, remembering the file and line it came
 * from and its dotted path, so that every error can say where it is. Immutable.
 *
 * <p>The typed readers take a default ({@code null} for a required key) and check ranges; what they
 * reject becomes a {@link ConfigException} naming the file, line and key:
 * <pre>{@code
 * int attempts = entry.intValue("maxAttempts", 3, 1, 100);
 * Duration limit = entry.duration("limit", null);            // required
 * Rate rate = entry.rate("rate", null);                       // "800/s"
 * }</pre>
 * Durations are written {@code 250ms}, {@code 1.5s}, {@code 15m}, {@code 2h}, {@code 1d} (also
 * {@code ns}, {@code us}, {@code min}, or ISO-8601 {@code PT15M}); rates {@code 800/s},
 * {@code 50/min}, {@code 10/100ms}; ratios {@code 0.005} or {@code 0.5%}.
 *
 * <p>Part of the section SPI: sections read nodes, only the loader makes them (its factories are not
 * public; they reach the loader through an internal accessor).
 */
public final class ConfigNode {

  private static final Set<String> BACKOFF_KEYS = Set.of("initial", "max", "multiplier", "jitter");

  /** Characters that would make a dotted path ambiguous: a key holding one is quoted in paths. */
  private static final Pattern AMBIGUOUS_IN_PATH = Pattern.compile("[.\"\\[\\]\\\\]");

  private static final Pattern WHOLE_NUMBER = Pattern.compile("[+-]?[0-9](?:_?[0-9])*");

  private static final Pattern DECIMAL =
      Pattern.compile("[+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?");

  private static final Pattern DURATION =
      Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*(ns|us|µs|ms|s|m|min|h|d)");
  private static final Pattern RATE = Pattern.compile(
      "([0-9]+)\\s*/\\s*([0-9]+(?:\\.[0-9]+)?)?\\s*(ns|us|µs|ms|s|m|min|h|d)(?:\\s+burst\\s+([0-9]+))?");

  // After the patterns above: the factory may be used as soon as it is installed.
  static {
    ConfigTrees.install(new ConfigTrees.Factory() {
      @Override
      public ConfigNode scalar(String source, int line, String path, String key, String text) {
        return new ConfigNode(source, line, path, key, text, null, null);
      }

      @Override
      public ConfigNode map(String source, int line, String path, String key, Map<String, ConfigNode> entries) {
        return ConfigNode.map(source, line, path, key, entries);
      }

      @Override
      public ConfigNode list(String source, int line, String path, String key, List<ConfigNode> items) {
        return new ConfigNode(source, line, path, key, null, null, List.copyOf(items));
      }

      @Override
      public String childPath(String parent, String key) {
        String part = !AMBIGUOUS_IN_PATH.matcher(key).find() ? key
            : '"' + key.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        return parent.isEmpty() ? part : parent + "." + part;
      }

      @Override
      public ConfigNode over(ConfigNode top, ConfigNode base) {
        return top.over(base);
      }
    });
  }

  private final String source;
  private final int line;
  private final String path;
  private final String key;
  private final String scalar;
  private final Map<String, ConfigNode> map;
  private final List<ConfigNode> list;

  private ConfigNode(String source, int line, String path, String key, String scalar, Map<String, ConfigNode> map,
      List<ConfigNode> list) {
    this.source = source;
    this.line = line;
    this.path = path;
    this.key = key;
    this.scalar = scalar;
    this.map = map;
    this.list = list;
  }

  private static ConfigNode map(String source, int line, String path, String key, Map<String, ConfigNode> entries) {
    return new ConfigNode(source, line, path, key, null, Collections.unmodifiableMap(new LinkedHashMap<>(entries)),
        null);
  }

  /** The file, resource or preset this node came from. */
  public String source() {
    return source;
  }

  /** The line this node starts on, from 1. */
  public int line() {
    return line;
  }

  /**
   * The dotted key of this node ({@code ""} for the root); a key holding a dot, quote or bracket is quoted:
   * {@code retries.payments."typo.maxAttempts"}.
   */
  public String path() {
    return path;
  }

  /** Whether this node is a map of keys to nodes. */
  public boolean isMap() {
    return map != null;
  }

  /** Whether this node is a list of nodes. */
  public boolean isList() {
    return list != null;
  }

  /** Returns an error about this node, to throw. */
  public ConfigException error(String problem) {
    return new ConfigException(source, line, path, problem);
  }

  /**
   * The entries of this map, in file order.
   *
   * @throws ConfigException if this node is not a map
   */
  public Map<String, ConfigNode> entries() {
    if (map == null) {
      throw error("must be a map of keys to values, was " + describe());
    }
    return map;
  }

  /** The child at {@code key}, or null when absent. */
  public @Nullable ConfigNode get(String key) {
    return entries().get(key);
  }

  /** This scalar's text. @throws ConfigException if this node is a map or a list */
  public String text() {
    if (scalar == null) {
      throw error("must be a single value, was " + describe());
    }
    return scalar;
  }

  /** The items of this list. @throws ConfigException if this node is not a list */
  public List<ConfigNode> items() {
    if (list == null) {
      throw error("must be a list, was " + describe());
    }
    return list;
  }

  /**
   * Checks that this map holds only {@code allowed} keys.
   *
   * @return this node
   * @throws ConfigException for the first other key, suggesting the closest allowed one
   */
  public ConfigNode allowOnly(Set<String> allowed) {
    for (ConfigNode child : entries().values()) {
      String name = child.key();
      if (!allowed.contains(name)) {
        throw child.error("unknown key" + hint(name, allowed) + " Known keys: " + new java.util.TreeSet<>(allowed));
      }
    }
    return this;
  }

  /** "Did you mean", or for {@code backoff.initial} how to nest it: keys are never split at dots. */
  private static String hint(String name, Set<String> allowed) {
    int dot = name.indexOf('.');
    if (dot > 0 && allowed.contains(name.substring(0, dot))) {
      return "; keys are not split at dots, nest them: " + name.substring(0, dot) + ": { "
          + name.substring(dot + 1) + ": ... }.";
    }
    return Suggestions.closest(name, allowed).map(s -> "; did you mean '" + s + "'?").orElse("");
  }

  /** This node's own key in its map, as written (a list item: its list's key and index, {@code hosts[0]}). */
  public String key() {
    return key;
  }

  /** A string at {@code key}, or {@code defaultValue} (null: required). */
  public String string(String key, @Nullable String defaultValue) {
    ConfigNode child = required(key, defaultValue);
    return child == null ? defaultValue : child.text();
  }

  /** A whole number at {@code key} in [{@code min}, {@code max}], or {@code defaultValue} (null: required). */
  public long longValue(String key, @Nullable Long defaultValue, long min, long max) {
    ConfigNode child = required(key, defaultValue);
    return child == null ? defaultValue : child.asLong(min, max);
  }

  /**
   * This scalar as a whole number in [{@code min}, {@code max}]: ASCII digits only ({@code 1_000} allowed),
   * so that Arabic-Indic or full-width digits, which Java's own parsers accept, are refused.
   *
   * @throws ConfigException if it is not such a number
   */
  public long asLong(long min, long max) {
    String text = text();
    long value;
    try {
      if (!WHOLE_NUMBER.matcher(text).matches()) {
        throw new NumberFormatException(text);
      }
      value = Long.parseLong(text.replace("_", ""));
    } catch (NumberFormatException e) {
      throw error("must be a whole number, was '" + text + "'");
    }
    if (value < min || value > max) {
      throw error("must be between " + min + " and " + max + ", was " + value);
    }
    return value;
  }

  /** An int at {@code key}; see {@link #longValue}. */
  public int intValue(String key, @Nullable Integer defaultValue, int min, int max) {
    return (int) longValue(key, defaultValue == null ? null : defaultValue.longValue(), min, max);
  }

  /** A number at {@code key} of at least {@code min}, or {@code defaultValue} (null: required). */
  public double number(String key, @Nullable Double defaultValue, double min) {
    ConfigNode child = required(key, defaultValue);
    if (child == null) {
      return defaultValue;
    }
    double value = parseDouble(child, child.text());
    if (!(value >= min) || Double.isInfinite(value)) {
      throw child.error("must be a number of at least " + min + ", was " + child.text());
    }
    return value;
  }

  /** A ratio in [0, 1] at {@code key}, written {@code 0.005} or {@code 0.5%}. */
  public double ratio(String key, @Nullable Double defaultValue) {
    ConfigNode child = required(key, defaultValue);
    if (child == null) {
      return defaultValue;
    }
    String text = child.text().trim();
    double value = text.endsWith("%")
        ? parseDouble(child, text.substring(0, text.length() - 1).trim()) / 100.0
        : parseDouble(child, text);
    if (!(value >= 0.0 && value <= 1.0)) {
      throw child.error("must be a ratio between 0 and 1 (or 0% and 100%), was " + text);
    }
    return value;
  }

  /** {@code true} or {@code false} at {@code key}, or {@code defaultValue} (null: required). */
  public boolean bool(String key, @Nullable Boolean defaultValue) {
    ConfigNode child = required(key, defaultValue);
    if (child == null) {
      return defaultValue;
    }
    return switch (child.text().trim().toLowerCase(Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw child.error("must be true or false, was '" + child.text() + "'");
    };
  }

  /** One of an enum's constants at {@code key}, written in any case with - or _. */
  public <E extends Enum<E>> E choice(String key, Class<E> type, @Nullable E defaultValue) {
    ConfigNode child = required(key, defaultValue);
    if (child == null) {
      return defaultValue;
    }
    String wanted = child.text().trim().replace('-', '_').toUpperCase(Locale.ROOT);
    for (E constant : type.getEnumConstants()) {
      if (constant.name().equals(wanted)) {
        return constant;
      }
    }
    List<String> names = java.util.Arrays.stream(type.getEnumConstants())
        .map(c -> c.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList();
    throw child.error("must be one of " + names + ", was '" + child.text() + "'");
  }

  /** A non-negative duration at {@code key}, or {@code defaultValue} (null: required). */
  public Duration duration(String key, @Nullable Duration defaultValue) {
    ConfigNode child = required(key, defaultValue);
    return child == null ? defaultValue : child.parseDuration(child.text().trim());
  }

  /**
   * A rate such as {@code 800/s} or {@code 100/s burst 20} at {@code key}, or {@code defaultValue} (null:
   * required). Without {@code burst} the burst is one period's permits.
   */
  public Rate rate(String key, @Nullable Rate defaultValue) {
    ConfigNode child = required(key, defaultValue);
    if (child == null) {
      return defaultValue;
    }
    Matcher m = RATE.matcher(child.text().trim());
    if (!m.matches()) {
      throw child.error("must be a rate such as 800/s, 50/min, 10/100ms or 100/s burst 20, was '"
          + child.text() + "'");
    }
    long permits;
    long burst;
    try {
      permits = Long.parseLong(m.group(1));
      burst = m.group(4) == null ? permits : Long.parseLong(m.group(4));
    } catch (NumberFormatException e) { // only digits matched: it overflowed
      throw child.error("has too many permits: '" + child.text() + "'");
    }
    Duration period = child.parseDuration((m.group(2) == null ? "1" : m.group(2)) + m.group(3));
    if (permits < 1 || period.isZero()) {
      throw child.error("must grant at least one permit per positive period, was '" + child.text() + "'");
    }
    if (burst < 1) {
      throw child.error("must have a burst of at least 1, was '" + child.text() + "'");
    }
    return new Rate(permits, period, burst);
  }

  /**
   * A backoff at {@code key}: a map of {@code initial}, {@code max}, {@code multiplier} and {@code jitter}
   * ({@code none}, {@code full}, {@code equal}, {@code decorrelated}), each missing one taken from
   * {@code defaults}; {@code defaults} itself when the key is absent.
   */
  public Backoff backoff(String key, Backoff defaults) {
    Check.notNull(defaults, "defaults");
    ConfigNode child = get(key);
    if (child == null) {
      return defaults;
    }
    child.allowOnly(BACKOFF_KEYS);
    Duration initial = child.duration("initial", defaults.initial());
    double multiplier = child.number("multiplier", defaults.multiplier(), 1.0);
    Duration max = child.duration("max", defaults.max());
    Jitter jitter = child.choice("jitter", Jitter.class, defaults.jitter());
    try {
      return new Backoff(initial, multiplier, max, jitter, null);
    } catch (IllegalArgumentException e) { // initial above max: a rule across two keys
      throw child.error(e.getMessage());
    }
  }

  private Duration parseDuration(String text) {
    if (text.equals("0")) {
      return Duration.ZERO;
    }
    if (text.startsWith("PT") || text.startsWith("P")) {
      try {
        Duration parsed = Duration.parse(text);
        if (!parsed.isNegative()) {
          return parsed;
        }
      } catch (java.time.format.DateTimeParseException ignored) {
        // Reported below with the accepted forms.
      }
    }
    Matcher m = DURATION.matcher(text);
    if (!m.matches()) {
      throw error("must be a duration such as 250ms, 1.5s, 15m or 2h, was '" + text + "'");
    }
    double amount = Double.parseDouble(m.group(1));
    long unitNanos = switch (m.group(2)) {
      case "ns" -> 1L;
      case "us", "µs" -> 1_000L;
      case "ms" -> 1_000_000L;
      case "s" -> 1_000_000_000L;
      case "m", "min" -> 60_000_000_000L;
      case "h" -> 3_600_000_000_000L;
      default -> 86_400_000_000_000L;
    };
    double nanos = amount * unitNanos;
    if (nanos > Long.MAX_VALUE) {
      throw error("is too long a duration: '" + text + "'");
    }
    return Duration.ofNanos(Math.round(nanos));
  }

  private ConfigNode required(String key, Object defaultValue) {
    ConfigNode child = get(key);
    if (child == null && defaultValue == null) {
      throw error("the key '" + key + "' is required");
    }
    return child;
  }

  /** A decimal number in ASCII digits: Double.parseDouble alone also takes {@code 1d}, {@code 0x1p3}, {@code NaN}. */
  private static double parseDouble(ConfigNode node, String text) {
    try {
      if (!DECIMAL.matcher(text).matches()) {
        throw new NumberFormatException(text);
      }
      return Double.parseDouble(text);
    } catch (NumberFormatException e) {
      throw node.error("must be a number, was '" + text + "'");
    }
  }

  private String describe() {
    return map != null ? "a map" : list != null ? "a list" : "'" + scalar + "'";
  }

  /**
   * This node laid over {@code base}: maps merge key by key (recursively), anything else replaces.
   * Used for {@code extends}.
   */
  private ConfigNode over(ConfigNode base) {
    if (map == null || base == null || base.map == null) {
      return this;
    }
    Map<String, ConfigNode> merged = new LinkedHashMap<>(base.map);
    map.forEach((key, child) -> merged.put(key, child.over(base.map.get(key))));
    return map(source, line, path, key, merged);
  }

  @Override
  public String toString() {
    return source + ":" + line + ": " + path;
  }
}
