package dev.ballast.cache.internal.config;

import com.fasterxml.jackson.databind.ObjectMapper;

/** The section's one Jackson reference, loaded only when the context has an {@code objectMapper} resource. */
final class ObjectMappers {

  private ObjectMappers() {}

  static ObjectMapper cast(Object checked) {
    return (ObjectMapper) checked;
  }
}
