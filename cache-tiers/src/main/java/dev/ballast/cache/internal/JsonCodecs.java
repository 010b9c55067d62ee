package dev.ballast.cache.internal;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ballast.cache.Codec;
import dev.ballast.cache.JsonCodec;
import java.lang.reflect.Type;

/** The only class of the spec path that touches Jackson; loaded only when a value type needs JSON. Not API. */
public final class JsonCodecs {

  private JsonCodecs() {}

  /** JSON through a plain ObjectMapper: deterministic, no findAndRegisterModules() (that would depend on the class path). */
  static Codec<Object> forType(Type type) {
    return forType(new ObjectMapper(), type);
  }

  /** JSON for {@code type} through {@code mapper}, generics included. */
  public static Codec<Object> forType(ObjectMapper mapper, Type type) {
    return JsonCodec.of(mapper, mapper.getTypeFactory().constructType(type));
  }

  static boolean isObjectMapper(Object resource) {
    return resource instanceof ObjectMapper;
  }
}
