package dev.ballast.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ballast.core.internal.Check;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * JSON payloads through Jackson, which is an optional dependency of this module: add
 * {@code com.fasterxml.jackson.core:jackson-databind} to use this class. The payload is read as the
 * given concrete class; the mapper is the caller's, so keep polymorphic default typing off for anything
 * read from a shared Redis.
 * <pre>{@code
 * JobType<Order> orders = JobType.of("order", JsonJobCodec.of(new ObjectMapper(), Order.class));
 * }</pre>
 */
public final class JsonJobCodec<T> implements JobCodec<T> {

  private final ObjectMapper mapper;
  private final Class<T> type;

  private JsonJobCodec(ObjectMapper mapper, Class<T> type) {
    this.mapper = Check.notNull(mapper, "JsonJobCodec.mapper");
    this.type = Check.notNull(type, "JsonJobCodec.type");
  }

  /**
   * A codec writing and reading {@code type} with {@code mapper} (thread-safe once configured).
   *
   * @throws NullPointerException if an argument is null
   */
  public static <T> JsonJobCodec<T> of(ObjectMapper mapper, Class<T> type) {
    return new JsonJobCodec<>(mapper, type);
  }

  /** @throws UncheckedIOException if Jackson cannot write the payload */
  @Override
  public byte[] encode(T payload) {
    try {
      return mapper.writeValueAsBytes(payload);
    } catch (IOException e) {
      throw new UncheckedIOException("payload cannot be written as JSON: " + e.getMessage(), e);
    }
  }

  /** @throws IllegalArgumentException if the bytes are not JSON of the expected shape */
  @Override
  public T decode(byte[] bytes) {
    try {
      return mapper.readValue(bytes, type);
    } catch (IOException e) {
      String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
      throw new IllegalArgumentException("payload is not JSON of " + type.getSimpleName() + ": " + why, e);
    }
  }
}
