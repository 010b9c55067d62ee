package dev.ballast.cache;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ballast.core.internal.Check;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * JSON through Jackson. Jackson is an optional dependency of this module: add
 * {@code com.fasterxml.jackson.core:jackson-databind} to use this class; nothing else loads it.
 * <pre>{@code
 * Codec<Product> products = JsonCodec.of(new ObjectMapper(), Product.class);
 * }</pre>
 *
 * @param <T> the type encoded
 */
public final class JsonCodec<T> implements Codec<T> {

  private final ObjectMapper mapper;
  private final JavaType type;

  private JsonCodec(ObjectMapper mapper, JavaType type) {
    this.mapper = mapper;
    this.type = type;
  }

  /**
   * A codec for {@code type} using {@code mapper} (configured by the application; it is thread-safe once
   * configured).
   *
   * @throws NullPointerException if an argument is null
   */
  public static <T> JsonCodec<T> of(ObjectMapper mapper, Class<T> type) {
    Check.notNull(mapper, "JsonCodec.mapper");
    Check.notNull(type, "JsonCodec.type");
    return new JsonCodec<>(mapper, mapper.constructType(type));
  }

  /**
   * A codec for a generic type, e.g. {@code mapper.getTypeFactory().constructCollectionType(List.class, Item.class)}.
   *
   * @throws NullPointerException if an argument is null
   */
  public static <T> JsonCodec<T> of(ObjectMapper mapper, JavaType type) {
    return new JsonCodec<>(Check.notNull(mapper, "JsonCodec.mapper"), Check.notNull(type, "JsonCodec.type"));
  }

  @Override
  public byte[] encode(T value) {
    try {
      return mapper.writeValueAsBytes(value);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not write " + type + " as JSON", e);
    }
  }

  @Override
  public T decode(byte[] bytes) {
    try {
      return mapper.readValue(bytes, type);
    } catch (IOException e) {
      throw new UncheckedIOException("Bytes are not JSON for " + type, e);
    }
  }

  @Override
  public String toString() {
    return "JsonCodec[" + type + "]";
  }
}
