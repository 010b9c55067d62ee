package dev.ballast.degradation.internal;

import dev.ballast.degradation.SwitchName;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The text form of an {@link Entry} in Redis: the hash field is {@link Entry#field()}, the value is
 * {@code <sinceMillis>|<who>|<why>|<id>=<0|1>,<id>=<0|1>...}, with '%', '|', ',', CR and LF in who and
 * why percent-escaped. The since part is written by the Lua script from Redis {@code TIME}, so the
 * client encodes everything after it. Broadcasts are {@code <epoch>|<version>|set|<field>|<clock>|<value>},
 * {@code <epoch>|<version>|del|<field>|<clock>|} and {@code |0|sync|<instance>||} (the instance that asks every other to re-read; empty after a repair of
 * keys of the wrong type, see retype.lua: every instance re-reads) (see apply.lua); the clock
 * of each field's last change is kept beside the state ({@link Hlc}). Stateless.
 */
final class EntryCodec {

  private EntryCodec() {}

  /** Everything but the leading since part. */
  static String encodeTail(Entry entry) {
    StringBuilder b = new StringBuilder();
    b.append(escape(entry.who())).append('|').append(escape(entry.why())).append('|');
    // Sorted so that the same settings always encode the same (the script compares tails to skip no-ops).
    boolean first = true;
    for (Map.Entry<String, Boolean> s : sortedIds(entry.settings()).entrySet()) {
      if (!first) {
        b.append(',');
      }
      first = false;
      b.append(s.getKey()).append('=').append(s.getValue() ? '1' : '0');
    }
    return b.toString();
  }

  static String encode(Entry entry) {
    return entry.sinceMillis() + "|" + encodeTail(entry);
  }

  /**
   * Parses a stored value.
   *
   * @throws IllegalArgumentException if it is malformed, naming the field
   */
  static Entry decode(String field, String value) {
    String[] parts = value.split("\\|", -1);
    if (parts.length != 4 || !(field.startsWith(Entry.MANUAL) || field.startsWith(Entry.MODE)
        || field.startsWith(Entry.AUTO))) {
      throw new IllegalArgumentException("corrupt switchboard entry " + field + "='" + value + "'");
    }
    try {
      long since = Long.parseLong(parts[0]);
      Map<SwitchName, Boolean> settings = new LinkedHashMap<>();
      for (String setting : parts[3].split(",")) {
        int eq = setting.lastIndexOf('=');
        String flag = setting.substring(eq + 1);
        if (eq < 0 || !(flag.equals("0") || flag.equals("1"))) {
          throw new IllegalArgumentException("bad setting '" + setting + "'");
        }
        settings.put(SwitchName.parse(setting.substring(0, eq)), flag.equals("1"));
      }
      return new Entry(field, since, unescape(parts[1]), unescape(parts[2]), settings);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("corrupt switchboard entry " + field + "='" + value + "': " + e.getMessage(), e);
    }
  }

  private static Map<String, Boolean> sortedIds(Map<SwitchName, Boolean> settings) {
    Map<String, Boolean> sorted = new TreeMap<>();
    settings.forEach((name, on) -> sorted.put(name.id(), on));
    return sorted;
  }

  static String escape(String text) {
    StringBuilder b = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '%' -> b.append("%25");
        case '|' -> b.append("%7C");
        case ',' -> b.append("%2C");
        case '\n' -> b.append("%0A");
        case '\r' -> b.append("%0D");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  static String unescape(String text) {
    if (text.indexOf('%') < 0) {
      return text;
    }
    StringBuilder b = new StringBuilder(text.length());
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '%' && i + 2 < text.length()) {
        b.append((char) Integer.parseInt(text.substring(i + 1, i + 3), 16));
        i += 2;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
