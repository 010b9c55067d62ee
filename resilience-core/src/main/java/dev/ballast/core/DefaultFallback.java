package dev.ballast.core;

import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.Futures;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** The {@link Fallback} implementation: immutable and stateless. */
final class DefaultFallback<R> implements Fallback<R> {

  private final Handler<? extends R> handler;
  private final Predicate<? super Throwable> handles;

  DefaultFallback(Handler<? extends R> handler, Predicate<? super Throwable> handles) {
    this.handler = handler;
    this.handles = handles;
  }

  @Override
  public Fallback<R> handling(Predicate<? super Throwable> which) {
    return new DefaultFallback<>(handler, Check.notNull(which, "Fallback.handling"));
  }

  @Override
  @SuppressWarnings("unchecked") // documented: the handler's type must match the call's
  public <T> T call(CheckedSupplier<? extends T> action) throws Exception {
    Objects.requireNonNull(action, "action");
    try {
      return action.get();
    } catch (Exception failure) {
      if (!handles.test(failure)) {
        throw failure;
      }
      return (T) handler.apply(failure);
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public <T> CompletionStage<T> callAsync(Supplier<? extends CompletionStage<T>> action) {
    Objects.requireNonNull(action, "action");
    CompletableFuture<T> promise = new CompletableFuture<>();
    CompletionStage<T> stage = Futures.start(action);
    stage.whenComplete((result, error) -> {
      if (error == null) {
        promise.complete(result);
        return;
      }
      Throwable failure = Futures.unwrap(error);
      try {
        if (failure instanceof Error || !handles.test(failure)) {
          promise.completeExceptionally(failure);
        } else {
          promise.complete((T) handler.apply(failure));
        }
      } catch (Throwable handlerFailure) {
        promise.completeExceptionally(handlerFailure);
      }
    });
    return promise;
  }

  @Override
  public String toString() {
    return "Fallback";
  }
}
