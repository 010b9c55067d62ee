package dev.ballast.queue;

import dev.ballast.core.internal.StrictUtf8;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Function;

/**
 * Turns a job's payload into bytes and back. Codecs are explicit: Ballast never uses Java native
 * serialization for anything stored in a queue. Implementations must be thread-safe.
 * <pre>{@code
 * JobCodec<String> text = JobCodec.utf8();
 * JobCodec<Order> json = JsonJobCodec.of(objectMapper, Order.class);   // needs jackson-databind
 * JobCodec<Order> own = JobCodec.of(Order::toBytes, Order::fromBytes);
 * }</pre>
 *
 * @param <T> the payload type
 */
public interface JobCodec<T> {

  /**
   * Encodes a payload.
   *
   * @throws RuntimeException if the payload cannot be encoded; the enqueue fails with it
   */
  byte[] encode(T payload);

  /**
   * Decodes a payload stored by {@link #encode}.
   *
   * @throws RuntimeException if the bytes are not a valid payload; the job is then dead-lettered with
   *     that reason instead of reaching the handler
   */
  T decode(byte[] bytes);

  /** The identity codec: the payload is the bytes. */
  static JobCodec<byte[]> bytes() {
    return of(b -> b, b -> b);
  }

  /** UTF-8 text; decoding rejects malformed input rather than replacing it. */
  static JobCodec<String> utf8() {
    return Utf8Codec.INSTANCE;
  }

  /**
   * A codec from two functions.
   *
   * @throws NullPointerException if either is null
   */
  static <T> JobCodec<T> of(Function<T, byte[]> encoder, Function<byte[], T> decoder) {
    Objects.requireNonNull(encoder, "JobCodec.encoder must not be null");
    Objects.requireNonNull(decoder, "JobCodec.decoder must not be null");
    return new JobCodec<>() {
      @Override
      public byte[] encode(T payload) {
        return encoder.apply(payload);
      }

      @Override
      public T decode(byte[] bytes) {
        return decoder.apply(bytes);
      }
    };
  }
}

/** Strict UTF-8: a payload with malformed bytes is a decode failure, not a string with U+FFFD in it. */
enum Utf8Codec implements JobCodec<String> {
  INSTANCE;

  @Override
  public byte[] encode(String payload) {
    return payload.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public String decode(byte[] bytes) {
    return StrictUtf8.decode(bytes, "payload");
  }
}
