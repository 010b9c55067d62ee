package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class FallbackTest {

  @Test
  void replacesAFailureWithTheHandlersResult() throws Exception {
    Fallback<String> fallback = Fallback.of(failure -> "cached: " + failure.getMessage());
    assertThat(fallback.<String>call(() -> {
      throw new IOException("down");
    })).isEqualTo("cached: down");
    assertThat(fallback.call(() -> "fresh")).isEqualTo("fresh");
  }

  @Test
  void letsUnhandledFailuresThrough() {
    IllegalStateException bug = new IllegalStateException("bug");
    Fallback<String> fallback = Fallback.<String>of(failure -> "default").handling(e -> e instanceof IOException);
    assertThatThrownBy(() -> fallback.call(() -> {
      throw bug;
    })).isSameAs(bug);
  }

  @Test
  void asyncFallbackSeesTheUnwrappedCause() throws Exception {
    Fallback<String> fallback = Fallback.of(failure -> failure.getClass().getSimpleName());
    CompletableFuture<String> result = fallback.<String>callAsync(() -> CompletableFuture.supplyAsync(() -> {
      throw new IllegalArgumentException("bad");
    })).toCompletableFuture();
    assertThat(result.get(10, TimeUnit.SECONDS)).isEqualTo("IllegalArgumentException");
  }

  @Test
  void aHandlerThatThrowsFailsTheCall() {
    Fallback<String> fallback = Fallback.of(failure -> {
      throw new IOException("no fallback either", failure);
    });
    CompletableFuture<String> result = fallback.<String>callAsync(
        () -> CompletableFuture.failedFuture(new IllegalStateException())).toCompletableFuture();
    assertThatThrownBy(() -> result.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(IOException.class);
  }
}
