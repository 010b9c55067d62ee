package dev.ballast.core.internal;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

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
}
