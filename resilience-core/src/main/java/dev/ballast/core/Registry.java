package dev.ballast.core;

import dev.ballast.core.internal.Check;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Named components that annotations refer to: {@code @Retry("payments")} finds the {@link
 * dev.ballast.core.Retry} registered as {@code "payments"}. Built once (by code or from configuration),
 * then read-only and thread-safe.
 * <pre>{@code
 * Registry registry = Registry.builder()
 *     .add("payments", Retry.builder().maxAttempts(3).build())
 *     .add("payments", CircuitBreaker.builder().name("payments").build())
 *     .build();
 * }</pre>
 * One name may hold one component of each kind, so a retry and a breaker can share a name. Closing the
 * registry closes its {@link AutoCloseable} components (caches, queues, the switchboard), newest first.
 */
public final class Registry implements AutoCloseable {

  private final Map<Key, Object> components;

  private record Key(String name, Class<?> type) {}

  private Registry(Map<Key, Object> components) {
    this.components = Collections.unmodifiableMap(new LinkedHashMap<>(components)); // keeps the order for close()
  }

  /** Starts an empty registry. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns the component of {@code type} named {@code name}.
   *
   * @throws IllegalArgumentException if there is none, listing the names there are for that type
   */
  public <T> T get(String name, Class<T> type) {
    return lookUp(components, name, type);
  }

  /** The names under which components of {@code type} are registered, sorted. */
  public Set<String> namesOf(Class<?> type) {
    return namesOf(components, type);
  }

  /**
   * Closes every {@link AutoCloseable} component, in the reverse of the order they were added (so a cache
   * built on a switchboard closes before it). Every component is closed even if one fails.
   *
   * @throws Exception the first failure, with the later ones suppressed
   */
  @Override
  public void close() throws Exception {
    List<Object> newestFirst = new ArrayList<>(components.values());
    Collections.reverse(newestFirst);
    Exception first = null;
    for (Object component : newestFirst) {
      if (component instanceof AutoCloseable closeable) {
        try {
          closeable.close();
        } catch (Exception e) {
          if (first == null) {
            first = e;
          } else {
            first.addSuppressed(e);
          }
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private static <T> T lookUp(Map<Key, Object> components, String name, Class<T> type) {
    Check.notNull(name, "name");
    Check.notNull(type, "type");
    for (Map.Entry<Key, Object> entry : components.entrySet()) {
      if (entry.getKey().name().equals(name) && type.isInstance(entry.getValue())) {
        return type.cast(entry.getValue());
      }
    }
    throw new IllegalArgumentException("No " + type.getSimpleName() + " named '" + name + "' in the registry; "
        + "known " + type.getSimpleName() + " names: " + namesOf(components, type));
  }

  private static Set<String> namesOf(Map<Key, Object> components, Class<?> type) {
    Set<String> names = new TreeSet<>();
    components.forEach((key, value) -> {
      if (type.isInstance(value)) {
        names.add(key.name());
      }
    });
    return names;
  }

  /** Collects components; not thread-safe. */
  public static final class Builder {
    private final Map<Key, Object> components = new LinkedHashMap<>();

    private Builder() {}

    /**
     * Registers {@code component} under {@code name}.
     *
     * @throws IllegalStateException if a component of the same class already has that name
     */
    public Builder add(String name, Object component) {
      Check.notBlank(name, "Registry name");
      Check.notNull(component, "Registry component '" + name + "'");
      for (Map.Entry<Key, Object> entry : components.entrySet()) {
        Object existing = entry.getValue();
        boolean sameKind = existing.getClass().isInstance(component) || component.getClass().isInstance(existing);
        if (entry.getKey().name().equals(name) && sameKind) {
          throw new IllegalStateException("Registry already has a " + existing.getClass().getSimpleName()
              + " named '" + name + "'");
        }
      }
      components.put(new Key(name, component.getClass()), component);
      return this;
    }

    /**
     * Returns a component added so far, so that one built from configuration can refer to another (a
     * switchboard trigger to a circuit breaker).
     *
     * @throws IllegalArgumentException if there is none, listing the names there are for that type
     */
    public <T> T get(String name, Class<T> type) {
      return lookUp(components, name, type);
    }

    /** Builds the registry. */
    public Registry build() {
      return new Registry(components);
    }
  }
}
