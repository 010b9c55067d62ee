package dev.ballast.cache.internal;

import dev.ballast.core.Ticker;
import dev.ballast.core.internal.Futures;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * Makes a decided {@link OriginCall} and hands its outcome to the {@link Fill}: the one place where a
 * single key's origin is called, for every entry point and every kind of loader. The fill runs on the
 * executor when the origin's stage completes on another thread (an HTTP client's I/O thread must not
 * wait for Redis), in the calling thread when it completed at once (a blocking loader).
 */
final class OriginCaller<K, V> {

  private final Fill<K, V> fill;
  private final Ticker ticker;
  private final Executor executor;

  /** @param executor runs fills; runs them in the caller instead when it refuses them */
  OriginCaller(Fill<K, V> fill, Ticker ticker, Executor executor) {
    this.fill = fill;
    this.ticker = ticker;
    this.executor = executor;
  }

  /** The value of {@code step}: found already, or loaded and filled (or stale after a failed load). */
  CompletableFuture<V> finish(Step<K, V> step, Origin<K, V> origin) {
    if (step instanceof Step.Found<K, V> found) {
      return CompletableFuture.completedFuture(found.value());
    }
    OriginCall<K, V> call = (OriginCall<K, V>) step;
    long start = ticker.read();
    CompletionStage<V> stage = origin.load(call.key());
    CompletableFuture<V> done = new CompletableFuture<>();
    Thread calling = Thread.currentThread();
    stage.whenComplete((value, error) -> {
      long end = ticker.read();
      Runnable then = () -> {
        try {
          (error == null ? fill.loaded(call, start, end, value) : fill.failed(call, start, end, Futures.unwrap(error)))
              .whenComplete((filled, failure) -> {
                if (failure == null) {
                  done.complete(filled);
                } else {
                  done.completeExceptionally(Futures.unwrap(failure));
                }
              });
        } catch (Throwable e) {
          done.completeExceptionally(e);
        }
      };
      if (Thread.currentThread() == calling) {
        then.run();
      } else {
        executor.execute(then);
      }
    });
    return done;
  }
}
