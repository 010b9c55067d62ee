package dev.ballast.cache.annotation;

import dev.ballast.cache.CacheLoadException;
import dev.ballast.core.internal.Futures;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Keeps a method's own failures as they were through the cache. A loader's checked exception comes back
 * from the cache wrapped in a {@link CacheLoadException}; wrapping it first in a {@link Checked} marks it
 * as the method's own, so exactly those are unwrapped again (a {@code CacheLoadException} thrown by the
 * method itself, from some other cache, passes unchanged).
 */
final class LoadFailures {

  private LoadFailures() {}

  /** Marks a checked exception of the wrapped method on its way through the cache. */
  static final class Checked extends Exception {
    private static final long serialVersionUID = 1L;

    Checked(Exception cause) {
      super(null, cause, false, false); // no stack trace: only a carrier
    }
  }

  /** What a loader throws for {@code failure}: unchecked ones as they are, checked ones marked. */
  static Exception forLoader(Throwable failure) {
    if (failure instanceof RuntimeException runtime) {
      return runtime;
    }
    if (failure instanceof Error error) {
      throw error;
    }
    return new Checked((Exception) failure);
  }

  /** The method's own failure behind what the cache threw or completed with. */
  static Throwable original(Throwable thrown) {
    Throwable failure = Futures.unwrap(thrown);
    if (failure instanceof CacheLoadException && failure.getCause() instanceof Checked checked) {
      return checked.getCause();
    }
    return failure;
  }

  /** Rethrows {@link #original}: for synchronous methods. */
  static Exception rethrow(RuntimeException thrown) {
    Throwable failure = original(thrown);
    if (failure instanceof Exception exception) {
      return exception;
    }
    throw (Error) failure;
  }

  /** {@code stage} as a {@link CompletableFuture}, whatever kind of stage it is. */
  static <T> CompletableFuture<T> future(CompletionStage<T> stage) {
    if (stage instanceof CompletableFuture<T> future) {
      return future;
    }
    CompletableFuture<T> future = new CompletableFuture<>();
    stage.whenComplete((value, error) -> {
      if (error == null) {
        future.complete(value);
      } else {
        future.completeExceptionally(Futures.unwrap(error));
      }
    });
    return future;
  }
}
