package dev.ballast.queue;

import dev.ballast.core.internal.Check;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;

/**
 * JSON payloads through Jackson 3 ({@code tools.jackson}); {@link JsonJobCodec} is the same for Jackson 2.
 * Jackson 3 is an optional dependency of this module: add {@code tools.jackson.core:jackson-databind} (the
 * BOM manages its version) to use this class. The payload is read as the given concrete class; the mapper
 * is the caller's, so keep polymorphic default typing off for anything read from a shared Redis.
 * <pre>{@code
 * JobType<Order> orders = JobType.of("order", Jackson3JobCodec.of(JsonMapper.builder().build(), Order.class));
 * }</pre>
 *
 * @param <T> the payload type
 */
public final class Jackson3JobCodec<T> implements JobCodec<T> {

  private final ObjectMapper mapper;
  private final Class<T> type;

  private Jackson3JobCodec(ObjectMapper mapper, Class<T> type) {
    this.mapper = Check.notNull(mapper, "Jackson3JobCodec.mapper");
    this.type = Check.notNull(type, "Jackson3JobCodec.type");
  }

  /**
   * A codec writing and reading {@code type} with {@code mapper} (Jackson 3 mappers are immutable and
   * thread-safe).
   *
   * @throws NullPointerException if an argument is null
   */
  public static <T> Jackson3JobCodec<T> of(ObjectMapper mapper, Class<T> type) {
    return new Jackson3JobCodec<>(mapper, type);
  }

  /** @throws IllegalArgumentException if Jackson cannot write the payload */
  @Override
  public byte[] encode(T payload) {
    try {
      return mapper.writeValueAsBytes(payload);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("payload cannot be written as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** @throws IllegalArgumentException if the bytes are not JSON of the expected shape */
  @Override
  public T decode(byte[] bytes) {
    try {
      return mapper.readValue(bytes, type);
    } catch (JacksonException e) {
      throw new IllegalArgumentException(
          "payload is not JSON of " + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
    }
  }
}
