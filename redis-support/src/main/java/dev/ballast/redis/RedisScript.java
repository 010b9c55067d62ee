package dev.ballast.redis;

import org.jspecify.annotations.Nullable;
import dev.ballast.core.internal.Check;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisScriptingAsyncCommands;
import io.lettuce.core.api.sync.RedisScriptingCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import dev.ballast.core.internal.SharedScheduler;

/**
 * A Lua script shipped as a resource, run by SHA ({@code EVALSHA}, one round trip) and sent in full
 * ({@code EVAL}, which also caches it on the server) only when the server answers {@code NOSCRIPT},
 * as after a restart or a {@code SCRIPT FLUSH}. User input goes in {@code KEYS} and {@code ARGV},
 * never into the script's text. Immutable and thread-safe.
 * <pre>{@code
 * RedisScript acquire = RedisScript.fromResource(MyClass.class, "acquire.lua");
 * Long granted = acquire.eval(commands, ScriptOutputType.INTEGER, keys, args);
 * }</pre>
 */
public final class RedisScript {

  private final String name;
  private final String source;
  private final String sha;

  private RedisScript(String name, String source) {
    this.name = name;
    this.source = source;
    this.sha = sha1(source);
  }

  /**
   * Loads a script from a classpath resource next to {@code anchor} (or absolute, starting with /).
   *
   * @throws IllegalArgumentException if there is no such resource
   */
  public static RedisScript fromResource(Class<?> anchor, String resource) {
    Check.notNull(anchor, "anchor");
    Check.notBlank(resource, "resource");
    try (InputStream in = anchor.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("No Lua script resource '" + resource + "' next to " + anchor.getName());
      }
      return new RedisScript(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read Lua script " + resource, e);
    }
  }

  /** A script from its source text (for tests and small inline scripts). */
  public static RedisScript of(String name, String source) {
    return new RedisScript(Check.notBlank(name, "name"), Check.notBlank(source, "source"));
  }

  /** Runs the script synchronously. */
  @SafeVarargs
  public final <K, V, T extends @Nullable Object> T eval(RedisScriptingCommands<K, V> redis, ScriptOutputType type, K[] keys, V... args) {
    try {
      return redis.evalsha(sha, type, keys, args);
    } catch (RuntimeException e) {
      if (!isNoScript(e)) {
        throw e;
      }
      return redis.eval(source, type, keys, args);
    }
  }

  /**
   * Runs the script asynchronously; failures complete the stage exceptionally. Cancelling the stage
   * cancels the command, so one Lettuce buffered while disconnected is not sent on reconnect (one already
   * sent may still run).
   *
   * <p>On a Redis Cluster, a script whose keys a slot migration has split between two nodes is refused
   * with {@code TRYAGAIN} (nothing ran) until the keys are together again, normally within one {@code
   * MIGRATE} batch: it is sent again after 2, 4, 8, ... (at most 50) ms, for up to 500 ms, or until the
   * stage is cancelled (a caller's timeout); then the {@code TRYAGAIN} completes the stage.
   */
  @SafeVarargs
  public final <K, V, T extends @Nullable Object> CompletionStage<T> evalAsync(RedisScriptingAsyncCommands<K, V> redis, ScriptOutputType type,
      K[] keys, V... args) {
    CompletableFuture<T> result = new CompletableFuture<>();
    // The command in flight (EVALSHA, then EVAL after NOSCRIPT, then again after TRYAGAIN): cancelling the
    // result cancels it, so a command Lettuce buffered while disconnected is dropped rather than replayed.
    AtomicReference<Future<?>> inFlight = new AtomicReference<>();
    new Attempts<>(redis, type, keys, args, result, inFlight, System.nanoTime() + TRY_AGAIN_BUDGET_NANOS)
        .send(true, 0);
    result.whenComplete((value, error) -> {
      Future<?> current = inFlight.get();
      if (result.isCancelled() && current != null) {
        current.cancel(false);
      }
    });
    return result;
  }

  private static final long TRY_AGAIN_BUDGET_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  private static final long TRY_AGAIN_FIRST_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
  private static final long TRY_AGAIN_MAX_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  /** One {@link #evalAsync} call's commands: by SHA, in full after {@code NOSCRIPT}, again after {@code TRYAGAIN}. */
  private final class Attempts<K, V, T> {
    private final RedisScriptingAsyncCommands<K, V> redis;
    private final ScriptOutputType type;
    private final K[] keys;
    private final V[] args;
    private final CompletableFuture<T> result;
    private final AtomicReference<Future<?>> inFlight;
    private final long giveUpAt;

    Attempts(RedisScriptingAsyncCommands<K, V> redis, ScriptOutputType type, K[] keys, V[] args,
        CompletableFuture<T> result, AtomicReference<Future<?>> inFlight, long giveUpAt) {
      this.redis = redis;
      this.type = type;
      this.keys = keys;
      this.args = args;
      this.result = result;
      this.inFlight = inFlight;
      this.giveUpAt = giveUpAt;
    }

    void send(boolean bySha, int retries) {
      if (result.isDone()) {
        return;
      }
      RedisFuture<T> sent;
      try {
        sent = bySha ? redis.evalsha(sha, type, keys, args) : redis.eval(source, type, keys, args);
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
        return;
      }
      inFlight.set(sent);
      if (result.isCancelled()) {
        sent.cancel(false);
        return;
      }
      sent.whenComplete((value, error) -> {
        if (error == null) {
          result.complete(value);
        } else if (result.isDone()) {
          return;
        } else if (bySha && isNoScript(error)) {
          send(false, retries);
        } else if (isTryAgain(error) && System.nanoTime() - giveUpAt < 0) {
          long delay = Math.min(TRY_AGAIN_MAX_DELAY_NANOS, TRY_AGAIN_FIRST_DELAY_NANOS << Math.min(retries, 5));
          try {
            SharedScheduler.runLater(SharedScheduler.get(), delay, () -> send(bySha, retries + 1));
          } catch (RuntimeException e) {
            result.completeExceptionally(error);
          }
        } else {
          result.completeExceptionally(error);
        }
      });
    }
  }

  private static boolean isTryAgain(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().startsWith("TRYAGAIN")) {
        return true;
      }
    }
    return false;
  }

  private static boolean isNoScript(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof RedisNoScriptException || (t.getMessage() != null && t.getMessage().startsWith("NOSCRIPT"))) {
        return true;
      }
    }
    return false;
  }

  /** The script's SHA-1, as Redis computes it. */
  public String sha() {
    return sha;
  }

  /** The script's text. */
  public String source() {
    return source;
  }

  /** The name it was loaded under. */
  public String name() {
    return name;
  }

  @Override
  public String toString() {
    return "RedisScript[" + name + ", " + sha + "]";
  }

  private static String sha1(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every JVM", e);
    }
  }
}
