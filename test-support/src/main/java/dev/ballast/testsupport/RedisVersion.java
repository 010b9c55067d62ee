package dev.ballast.testsupport;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Redis server version, as {@code INFO server} reports it ({@code redis_version:6.2.6}) or as
 * {@code redis-server --version} prints it ({@code v=6.2.6}). Compares by major, minor and patch.
 *
 * @param major the major version, e.g. 7
 * @param minor the minor version, e.g. 2
 * @param patch the patch level, e.g. 4
 */
public record RedisVersion(int major, int minor, int patch) implements Comparable<RedisVersion> {

  private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)(?:\\.(\\d+))?");

  public RedisVersion {
    if (major < 0 || minor < 0 || patch < 0) {
      throw new IllegalArgumentException("version parts must be >= 0: " + major + "." + minor + "." + patch);
    }
  }

  /**
   * Parses the first {@code major.minor[.patch]} in {@code text}.
   *
   * @throws IllegalArgumentException if {@code text} holds no version
   */
  public static RedisVersion parse(String text) {
    Matcher m = VERSION.matcher(Objects.requireNonNull(text, "text"));
    if (!m.find()) {
      throw new IllegalArgumentException("no Redis version (major.minor[.patch]) in '" + text + "'");
    }
    return new RedisVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
        m.group(3) == null ? 0 : Integer.parseInt(m.group(3)));
  }

  /** Whether this version is {@code minimum} or newer, e.g. {@code atLeast("7.0")}. */
  public boolean atLeast(String minimum) {
    return compareTo(parse(minimum)) >= 0;
  }

  @Override
  public int compareTo(RedisVersion other) {
    int c = Integer.compare(major, other.major);
    if (c == 0) {
      c = Integer.compare(minor, other.minor);
    }
    return c != 0 ? c : Integer.compare(patch, other.patch);
  }

  @Override
  public String toString() {
    return major + "." + minor + "." + patch;
  }
}
