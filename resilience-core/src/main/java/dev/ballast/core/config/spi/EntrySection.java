package dev.ballast.core.config.spi;

import dev.ballast.core.Registry;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.ConfigException;
import java.util.Map;

/**
 * A section whose entries are each one named component:
 * <pre>{@code
 * retries:
 *   payments: { maxAttempts: 3 }
 *   search:   { maxAttempts: 2 }
 * }</pre>
 * Subclasses build one entry; this class checks its keys, turns a builder's
 * {@link IllegalArgumentException} into a {@link ConfigException} at the entry's line, and registers it.
 */
public abstract class EntrySection implements ConfigSection {

  /** Builds the component for one entry, whose keys are already checked against {@link #entryKeys()}. */
  protected abstract Object buildEntry(String name, ConfigNode entry, ConfigContext context);

  @Override
  public final void build(ConfigNode section, ConfigContext context, Registry.Builder registry) {
    for (Map.Entry<String, ConfigNode> named : section.entries().entrySet()) {
      ConfigNode entry = named.getValue();
      entry.allowOnly(entryKeys());
      Object component;
      try {
        component = buildEntry(named.getKey(), entry, context);
      } catch (ConfigException e) {
        throw e;
      } catch (IllegalArgumentException | IllegalStateException e) {
        throw entry.error(e.getMessage());
      }
      registry.add(named.getKey(), component);
    }
  }
}
