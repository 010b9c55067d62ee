package dev.ballast.core.config;

/**
 * A configuration file says something Ballast cannot accept. The message starts with where:
 * {@code "payments.yaml:12: retries.payments.maxAttempts: must be at least 1, was 0"}.
 */
public class ConfigException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String source;
  private final int line;
  private final String path;

  /**
   * @param source the file, resource or preset the value came from
   * @param line its line, from 1 (0 when unknown)
   * @param path the dotted key, e.g. {@code retries.payments.maxAttempts}
   * @param problem what is wrong with it
   */
  public ConfigException(String source, int line, String path, String problem) {
    super(source + ":" + line + ": " + (path.isEmpty() ? "" : path + ": ") + problem);
    this.source = source;
    this.line = line;
    this.path = path;
  }

  /** The file, resource or preset the offending value came from. */
  public String source() {
    return source;
  }

  /** The offending value's line, from 1. */
  public int line() {
    return line;
  }

  /** The dotted key of the offending value. */
  public String path() {
    return path;
  }
}
