package dev.ballast.redis;

/**
 * Why a Redis call failed, in the few classes a module acts on differently: an <em>outage</em> (Redis, or
 * the way to it, cannot serve this component: feed the breaker around Redis), a <em>data error</em>
 * (Redis answered, but refused this one call because of its key, value, script or permissions: fail that
 * call only, like corrupt data), or an {@link #INTERRUPTED interrupt} of the caller (no Redis failure at
 * all).
 *
 * <p>{@link #classify(Throwable)} is the one place that decides; {@link RedisGuard} applies it to every
 * failure, and modules that look at a failure themselves call it rather than reading messages.
 */
public enum RedisErrorKind {

  /** Connection refused, closed or reset; a channel closed under the command; no connection yet. */
  CONNECTION("connection", true),
  /** The command got no answer in time ({@code RedisCommandTimeoutException}, a bounded wait ran out). */
  TIMEOUT("timeout", true),
  /**
   * Redis answered that it cannot serve now: {@code LOADING}, {@code BUSY}, {@code MASTERDOWN},
   * {@code TRYAGAIN}, {@code CLUSTERDOWN}, {@code READONLY}, {@code NOREPLICAS}, {@code MISCONF}; or the
   * command was cancelled (the connection dropped under it), or Lettuce failed in a way that names no
   * reply (counted as an outage so a failing Redis never costs every call its timeout).
   */
  UNAVAILABLE("unavailable", true),
  /**
   * {@code NOAUTH}, {@code WRONGPASS}, an invalid password: the component cannot work at all until the
   * configuration is fixed. Reported as "authentication failed", never as "not reachable".
   */
  AUTHENTICATION("auth", true),
  /** {@code WRONGTYPE}: the key holds another type than the command needs. */
  WRONG_TYPE("wrongtype", false),
  /** A Lua runtime error (a script that failed on the data it found, or called an unknown command). */
  SCRIPT("script", false),
  /** {@code CROSSSLOT}: the keys of one command or script are in different cluster slots. */
  CROSS_SLOT("crossslot", false),
  /** {@code NOPERM}: the ACL user may not run this command or touch this key. */
  NO_PERMISSION("noperm", false),
  /** {@code OOM}: a write refused because Redis is at {@code maxmemory} and may not evict. */
  OUT_OF_MEMORY("oom", false),
  /** Any other error reply (including a script's own {@code redis.error_reply}). */
  REPLY("reply", false),
  /** A non-Redis exception thrown while building the command or decoding the reply (a codec, a bug). */
  CLIENT("client", false),
  /** The caller's thread was interrupted: never a Redis failure, never counted; the flag is kept. */
  INTERRUPTED("interrupted", false);

  private final String tag;
  private final boolean outage;

  RedisErrorKind(String tag, boolean outage) {
    this.tag = tag;
    this.outage = outage;
  }

  /** The value of the {@code kind} tag on {@code ballast.redis.errors}: short, lower case, stable. */
  public String tag() {
    return tag;
  }

  /**
   * Whether this kind says Redis is unavailable to the component (feeds the breaker around Redis), as
   * opposed to a failure of one call (a data error) or an interrupt.
   */
  public boolean isOutage() {
    return outage;
  }

  /**
   * Classifies a failure of a Redis call. Unwraps {@code CompletionException} and
   * {@code ExecutionException}, then looks through the cause chain: an interrupt anywhere in it wins, then
   * an error reply (by its code), then timeouts, cancellations and connection failures; an unknown Lettuce
   * exception is {@link #UNAVAILABLE}, any other exception {@link #CLIENT}. Pure: reads nothing but
   * {@code error}.
   *
   * @throws NullPointerException if {@code error} is null
   */
  public static RedisErrorKind classify(Throwable error) {
    return RedisErrorClassifier.classify(error);
  }
}
