package dev.ballast.core;

import dev.ballast.core.internal.Check;
import java.util.LinkedHashMap;
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
 * One name may hold one component of each kind, so a retry and a breaker can share a name.
 */
public final class Registry {

  private final Map<Key, Object> components;

  private record Key(String name, Class<?> type) {}

  private Registry(Map<Key, Object> components) {
    this.components = Map.copyOf(components);
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
    Check.notNull(name, "name");
    for (Map.Entry<Key, Object> entry : components.entrySet()) {
      if (entry.getKey().name().equals(name) && type.isInstance(entry.getValue())) {
        return type.cast(entry.getValue());
      }
    }
    throw new IllegalArgumentException("No " + type.getSimpleName() + " named '" + name + "' in the registry; "
        + "known " + type.getSimpleName() + " names: " + namesOf(type));
  }

  /** The names under which components of {@code type} are registered, sorted. */
  public Set<String> namesOf(Class<?> type) {
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

    /** Builds the registry. */
    public Registry build() {
      return new Registry(components);
    }
  }
}
