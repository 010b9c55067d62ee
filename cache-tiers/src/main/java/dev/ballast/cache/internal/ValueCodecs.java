package dev.ballast.cache.internal;

import dev.ballast.cache.Codec;
import java.lang.reflect.Type;
import java.lang.reflect.TypeVariable;
import java.util.function.Function;

/**
 * Chooses the value codec of a cache created from a {@link dev.ballast.cache.CacheSpec}: String as UTF-8,
 * {@code byte[]} as is, anything else as JSON. Jackson is an optional dependency, so this class only
 * names it in strings; {@link JsonCodecs} touches it, and is loaded only when JSON is chosen.
 */
public final class ValueCodecs {

  static final String JACKSON = "com.fasterxml.jackson.databind.ObjectMapper";

  private ValueCodecs() {}

  /** Whether jackson-databind is on the class path. */
  public static boolean jacksonPresent() {
    try {
      Class.forName(JACKSON, false, ValueCodecs.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * The codec for values of {@code type}.
   *
   * @param codecs the application's codecs for other types, or null for JSON through a plain ObjectMapper
   * @param jackson whether Jackson is on the class path ({@link #jacksonPresent()}; a parameter for tests)
   * @param cacheName for the message
   * @throws IllegalArgumentException if the type needs JSON and Jackson is missing, is a type variable, or
   *     {@code codecs} has no codec for it
   */
  @SuppressWarnings("unchecked")
  public static Codec<Object> forType(Type type, Function<? super Type, ? extends Codec<?>> codecs, boolean jackson,
      String cacheName) {
    if (type == String.class) {
      return (Codec<Object>) (Codec<?>) Codec.utf8();
    }
    if (type == byte[].class) {
      return (Codec<Object>) (Codec<?>) Codec.bytes();
    }
    if (codecs != null) {
      Codec<?> codec = codecs.apply(type);
      if (codec == null) {
        throw new IllegalArgumentException("the value codecs of cache '" + cacheName + "' have none for "
            + type.getTypeName());
      }
      return (Codec<Object>) codec;
    }
    if (type instanceof TypeVariable<?>) {
      throw new IllegalArgumentException("values of type " + type.getTypeName() + " (a type variable) cannot be"
          + " given a codec; register a TieredCache named '" + cacheName + "' built with your own codec");
    }
    if (!jackson) {
      throw new IllegalArgumentException("values of type " + type.getTypeName() + " are stored as JSON, but"
          + " Jackson (com.fasterxml.jackson.core:jackson-databind) is not on the class path; add it, or register"
          + " a TieredCache named '" + cacheName + "' built with your own value codec");
    }
    return JsonCodecs.forType(type);
  }

  /**
   * Checks that a configured {@code objectMapper} resource is one.
   *
   * @throws IllegalArgumentException if it is not an ObjectMapper (or Jackson is missing)
   */
  public static Object checkObjectMapper(Object resource) {
    if (resource == null) {
      return null;
    }
    if (!jacksonPresent() || !JsonCodecs.isObjectMapper(resource)) {
      throw new IllegalArgumentException("the ConfigContext resource 'objectMapper' must be a " + JACKSON + ", was a "
          + resource.getClass().getName());
    }
    return resource;
  }
}
