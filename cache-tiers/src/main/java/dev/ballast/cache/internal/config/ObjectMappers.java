package dev.ballast.cache.internal.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ballast.cache.Codec;
import dev.ballast.cache.internal.JsonCodecs;
import java.lang.reflect.Type;
import java.util.function.Function;

/** The section's one Jackson reference, loaded only when the context has an {@code objectMapper} resource. */
final class ObjectMappers {

  private ObjectMappers() {}

  /** JSON codecs through the application's mapper (already checked to be an ObjectMapper). */
  static Function<Type, Codec<?>> codecs(Object checked) {
    ObjectMapper mapper = (ObjectMapper) checked;
    return type -> JsonCodecs.forType(mapper, type);
  }
}
