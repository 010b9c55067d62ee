package dev.ballast.cache.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ballast.cache.Codec;
import dev.ballast.cache.JsonCodec;
import java.lang.reflect.Type;

/** The only class of the spec path that touches Jackson; loaded when a value type needs JSON. */
final class JsonCodecs {

  private JsonCodecs() {}

  static Codec<Object> forType(Type type, Object objectMapper) {
    // Deterministic: no findAndRegisterModules(), which would depend on what else is on the class path.
    ObjectMapper mapper = objectMapper != null ? (ObjectMapper) objectMapper : new ObjectMapper();
    return JsonCodec.of(mapper, mapper.getTypeFactory().constructType(type));
  }

  static boolean isObjectMapper(Object resource) {
    return resource instanceof ObjectMapper;
  }
}
