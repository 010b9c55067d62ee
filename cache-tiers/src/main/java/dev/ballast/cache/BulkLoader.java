package dev.ballast.cache;

import org.jspecify.annotations.Nullable;
import java.util.Map;
import java.util.Set;

/**
 * Loads many values at once for {@link TieredCache#getAll}; it is only asked for keys found in neither tier.
 *
 * @param <K> key type
 * @param <V> value type
 */
@FunctionalInterface
public interface BulkLoader<K, V> {

  /**
   * Returns the values found for {@code keys}; a key left out (or mapped to null) has no value.
   *
   * @throws Exception any failure, handed to the caller of {@code getAll}
   */
  Map<K, ? extends @Nullable V> loadAll(Set<K> keys) throws Exception;
}
