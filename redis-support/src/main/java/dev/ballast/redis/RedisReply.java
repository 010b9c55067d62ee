package dev.ballast.redis;

import org.jspecify.annotations.Nullable;
import dev.ballast.core.internal.Check;

/**
 * What happened to one Redis call made through {@link RedisGuard#attempt}: it answered ({@link Ok}), it
 * failed ({@link Failed}, with the {@link RedisErrorKind kind} of failure), or the breaker around Redis
 * was open and Redis was not asked ({@link ShortCircuited}). For callers that must know, e.g. so that a
 * write Redis did not apply is never reported as done:
 * <pre>{@code
 * RedisReply<String> reply = guard.attempt(() -> redis.set(key, value));
 * if (reply instanceof RedisReply.Failed<String> failed && !failed.kind().isOutage()) {
 *   ... // Redis refused this write (a bad key, OOM): report it, do not retry blindly
 * } else if (!reply.isOk()) {
 *   ... // Redis unavailable or not asked: the write is not done
 * }
 * }</pre>
 *
 * @param <T> the type of the call's value
 */
public sealed interface RedisReply<T extends @Nullable Object> {

  /** Whether Redis answered (this is an {@link Ok}). */
  default boolean isOk() {
    return this instanceof Ok<T>;
  }

  /** The value if Redis answered, else {@code other}. */
  default T valueOr(T other) {
    return this instanceof Ok<T> ok ? ok.value() : other;
  }

  /**
   * Redis answered with {@code value} (which may be null: a missing key).
   *
   * @param value what the call returned
   */
  record Ok<T extends @Nullable Object>(T value) implements RedisReply<T> {}

  /**
   * The call failed; {@code kind} says whether Redis is unavailable ({@link RedisErrorKind#isOutage()}),
   * refused this call only, or the caller was interrupted.
   *
   * @param kind the classification of {@code error}
   * @param error what the call threw (unwrapped from {@code CompletionException})
   */
  record Failed<T extends @Nullable Object>(RedisErrorKind kind, Throwable error) implements RedisReply<T> {

    /**
     * @throws NullPointerException if {@code kind} or {@code error} is null
     */
    public Failed {
      Check.notNull(kind, "Failed.kind");
      Check.notNull(error, "Failed.error");
    }
  }

  /** The breaker around Redis was open: Redis was not asked, nothing was written or read. */
  record ShortCircuited<T extends @Nullable Object>() implements RedisReply<T> {}
}
