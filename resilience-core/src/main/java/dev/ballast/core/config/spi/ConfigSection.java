package dev.ballast.core.config.spi;

import dev.ballast.core.Registry;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.ConfigException;

import java.util.Set;

/**
 * Builds the components of one top-level section of a configuration file ({@code retries},
 * {@code caches}, …). Each module contributes its sections by listing them in
 * {@code META-INF/services/dev.ballast.core.config.spi.ConfigSection}; a section class needs a public
 * no-argument constructor.
 */
public interface ConfigSection {

  /** The top-level key this section reads, e.g. {@code "retries"}. */
  String key();

  /**
   * When this section builds relative to the others: ascending, so a section that refers to components of
   * another (a switchboard trigger to a circuit breaker, a queue to a rate limiter) builds after it and
   * finds them with {@link Registry.Builder#get}. resilience-core's sections are 0.
   */
  default int order() {
    return 0;
  }

  /** The keys each entry of the section may hold, for the documentation and for misspelling hints. */
  Set<String> entryKeys();

  /**
   * Builds one component per entry of {@code section} and adds it to {@code registry} under the entry's
   * name.
   *
   * @throws ConfigException naming the file, line and key of anything wrong
   */
  void build(ConfigNode section, ConfigContext context, Registry.Builder registry);
}
