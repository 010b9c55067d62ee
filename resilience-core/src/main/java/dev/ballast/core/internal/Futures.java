package dev.ballast.core.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;

/** Small helpers for the asynchronous side of the policies. */
public final class Futures {

  private Futures() {}

  /**
   * The failure a stage really completed with: {@code whenComplete} hands over a
   * {@link CompletionException} wrapper when the failure came from an upstream stage.
   */
  public static Throwable unwrap(Throwable error) {
    Throwable current = error;
    while ((current instanceof CompletionException || current instanceof ExecutionException)
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }

  /**
   * Calls an asynchronous action, turning a throw or a null stage into a failed stage, so that every
   * policy's {@code callAsync} fails through the stage and never throws to its caller.
   */
  public static <T> CompletionStage<T> start(Supplier<? extends CompletionStage<T>> action) {
    try {
      CompletionStage<T> stage = action.get();
      return stage != null
          ? stage
          : CompletableFuture.failedFuture(new NullPointerException("the action returned a null CompletionStage"));
    } catch (Throwable t) {
      return CompletableFuture.failedFuture(t);
    }
  }
}
