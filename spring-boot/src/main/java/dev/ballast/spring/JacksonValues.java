package dev.ballast.spring;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ballast.cache.Codec;
import dev.ballast.cache.JsonCodec;

/** JSON values through Jackson 2; a class of its own so Jackson is loaded only when a cache needs it. */
final class JacksonValues {

  private JacksonValues() {}

  @SuppressWarnings("unchecked")
  static Codec<Object> codec(Class<?> type, Object mapper) {
    try {
      ObjectMapper objectMapper = mapper instanceof ObjectMapper m ? m : new ObjectMapper();
      return (Codec<Object>) (Codec<?>) JsonCodec.of(objectMapper, type);
    } catch (NoClassDefFoundError e) {
      throw new IllegalArgumentException("values of type " + type.getName() + " are stored as JSON, but Jackson"
          + " (com.fasterxml.jackson.core:jackson-databind) is not on the class path; add it, or store String values",
          e);
    }
  }
}
