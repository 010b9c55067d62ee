package dev.ballast.cache;

import dev.ballast.core.internal.Check;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ObjectMapper;

/**
 * JSON through Jackson 3 ({@code tools.jackson}); {@link JsonCodec} is the same for Jackson 2. Jackson 3 is
 * an optional dependency of this module: add {@code tools.jackson.core:jackson-databind} (the BOM manages its
 * version) to use this class; nothing else loads it. The bytes are the same JSON as {@link JsonCodec}
 * writes for the same mapper settings, so instances may move from one to the other over a shared Redis.
 * <pre>{@code
 * Codec<Product> products = Jackson3Codec.of(JsonMapper.builder().build(), Product.class);
 * }</pre>
 *
 * @param <T> the type encoded
 */
public final class Jackson3Codec<T> implements Codec<T> {

  private final ObjectMapper mapper;
  private final JavaType type;

  private Jackson3Codec(ObjectMapper mapper, JavaType type) {
    this.mapper = mapper;
    this.type = type;
  }

  /**
   * A codec for {@code type} using {@code mapper} (configured by the application; Jackson 3 mappers are
   * immutable and thread-safe).
   *
   * @throws NullPointerException if an argument is null
   */
  public static <T> Jackson3Codec<T> of(ObjectMapper mapper, Class<T> type) {
    Check.notNull(mapper, "Jackson3Codec.mapper");
    Check.notNull(type, "Jackson3Codec.type");
    return new Jackson3Codec<>(mapper, mapper.constructType(type));
  }

  /**
   * A codec for a generic type, e.g. {@code mapper.getTypeFactory().constructCollectionType(List.class, Item.class)}.
   *
   * @throws NullPointerException if an argument is null
   */
  public static <T> Jackson3Codec<T> of(ObjectMapper mapper, JavaType type) {
    return new Jackson3Codec<>(Check.notNull(mapper, "Jackson3Codec.mapper"), Check.notNull(type, "Jackson3Codec.type"));
  }

  /** @throws IllegalArgumentException if Jackson cannot write the value */
  @Override
  public byte[] encode(T value) {
    try {
      return mapper.writeValueAsBytes(value);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("Could not write " + type + " as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /** @throws IllegalArgumentException if the bytes are not JSON of the expected shape */
  @Override
  public T decode(byte[] bytes) {
    try {
      return mapper.readValue(bytes, type);
    } catch (JacksonException e) {
      throw new IllegalArgumentException("Bytes are not JSON for " + type + ": " + e.getOriginalMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "Jackson3Codec[" + type + "]";
  }
}
