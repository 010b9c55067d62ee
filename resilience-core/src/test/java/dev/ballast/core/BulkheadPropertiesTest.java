package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Slots never leak and never multiply, whatever order calls start and end in: success, failure,
 * cancellation by the caller, cancellation by an outer timeout (what {@link Timeout} does to the stage it
 * waits for), a late completion after a cancellation, an action that throws, and synchronous calls; and,
 * with a bounded wait, asynchronous calls that queue for a slot and are handed one, time out or are
 * cancelled while they wait.
 */
class BulkheadPropertiesTest {

  enum Op { START, SUCCEED, FAIL, CANCEL, TIME_OUT, LATE_COMPLETE, THROW, SYNC_OK, SYNC_FAIL }

  @Provide
  Arbitrary<List<Op>> ops() {
    return Arbitraries.of(Op.class).list().ofMinSize(1).ofMaxSize(200);
  }

  @Property(tries = 300)
  void slotsNeverLeak(@ForAll("ops") List<Op> ops, @ForAll @IntRange(min = 1, max = 5) int max,
      @ForAll @IntRange(min = 0, max = 1_000) int seed) {
    Bulkhead bulkhead = Bulkhead.builder().maxConcurrentCalls(max).ticker(() -> 0L).build();
    List<CompletableFuture<String>> actions = new ArrayList<>();
    List<CompletionStage<String>> returned = new ArrayList<>();
    List<CompletableFuture<String>> ended = new ArrayList<>();
    int pick = seed;
    for (Op op : ops) {
      pick = pick * 31 + 7;
      int running = actions.size();
      int index = running == 0 ? -1 : Math.floorMod(pick, running);
      switch (op) {
        case START -> {
          CompletableFuture<String> action = new CompletableFuture<>();
          CompletionStage<String> stage = bulkhead.callAsync(() -> action);
          if (!stage.toCompletableFuture().isCompletedExceptionally()) {
            actions.add(action);
            returned.add(stage);
          }
        }
        case SUCCEED, FAIL, CANCEL, TIME_OUT -> {
          if (index >= 0) {
            CompletableFuture<String> action = actions.remove(index);
            CompletableFuture<String> stage = returned.remove(index).toCompletableFuture();
            switch (op) {
              case SUCCEED -> action.complete("ok");
              case FAIL -> action.completeExceptionally(new IOException("down"));
              case CANCEL -> stage.cancel(false);
              default -> stage.cancel(true);
            }
            ended.add(action);
          }
        }
        case LATE_COMPLETE -> {
          if (!ended.isEmpty()) {
            ended.get(Math.floorMod(pick, ended.size())).complete("late");
          }
        }
        case THROW -> bulkhead.callAsync(() -> {
          throw new IllegalStateException("no stage");
        });
        case SYNC_OK -> callQuietly(bulkhead, false);
        case SYNC_FAIL -> callQuietly(bulkhead, true);
      }
      assertThat(bulkhead.inFlight()).isEqualTo(Math.min(actions.size(), max)).isBetween(0, max);
    }
    actions.forEach(a -> a.complete("end"));
    assertThat(bulkhead.inFlight()).isZero();
    for (int i = 0; i < max; i++) {
      assertThat(bulkhead.tryAcquire()).as("every slot is free again").isTrue();
    }
    assertThat(bulkhead.tryAcquire()).as("and no slot was added").isFalse();
  }

  enum WaitOp { START, SUCCEED, FAIL, CANCEL, TIME_OUT_RUNNING, CANCEL_WAITING, TIME_OUT_WAITING, THROW, MANUAL }

  @Provide
  Arbitrary<List<WaitOp>> waitOps() {
    return Arbitraries.of(WaitOp.class).list().ofMinSize(1).ofMaxSize(200);
  }

  /** One asynchronous call of the property below, as its caller sees it. */
  private static final class Call {
    final CompletableFuture<String> action = new CompletableFuture<>();
    final AtomicBoolean started = new AtomicBoolean();
    CompletionStage<String> returned;
    ManualTimers.Timer timer;

    boolean waiting() {
      return !started.get() && !returned.toCompletableFuture().isDone();
    }

    boolean holding() {
      return started.get() && !action.isDone();
    }
  }

  @Property(tries = 300)
  void slotsNeverLeakWithAsyncWaits(@ForAll("waitOps") List<WaitOp> ops, @ForAll @IntRange(min = 1, max = 4) int max,
      @ForAll @IntRange(min = 0, max = 1_000) int seed) {
    ManualTimers timers = new ManualTimers();
    Bulkhead bulkhead = Bulkhead.builder().maxConcurrentCalls(max).maxWait(Duration.ofMinutes(1)).ticker(() -> 0L)
        .scheduler(timers).executor(Runnable::run).build();
    List<Call> calls = new ArrayList<>();
    int pick = seed;
    try {
      for (WaitOp op : ops) {
        pick = pick * 31 + 7;
        List<Call> holding = calls.stream().filter(Call::holding).toList();
        List<Call> waiting = calls.stream().filter(Call::waiting).toList();
        Call aHolder = holding.isEmpty() ? null : holding.get(Math.floorMod(pick, holding.size()));
        Call aWaiter = waiting.isEmpty() ? null : waiting.get(Math.floorMod(pick, waiting.size()));
        switch (op) {
          case START -> {
            Call call = new Call();
            int before = timers.scheduled.size();
            call.returned = bulkhead.callAsync(() -> {
              call.started.set(true);
              return call.action;
            });
            call.timer = timers.scheduled.size() > before ? timers.scheduled.get(before) : null;
            calls.add(call);
          }
          case SUCCEED -> {
            if (aHolder != null) {
              aHolder.action.complete("ok");
            }
          }
          case FAIL -> {
            if (aHolder != null) {
              aHolder.action.completeExceptionally(new IOException("down"));
            }
          }
          case CANCEL, TIME_OUT_RUNNING -> {
            if (aHolder != null) {
              aHolder.returned.toCompletableFuture().cancel(op == WaitOp.TIME_OUT_RUNNING);
              assertThat(aHolder.action).as("cancelling the caller's stage cancels the action's").isCancelled();
            }
          }
          case CANCEL_WAITING -> {
            if (aWaiter != null) {
              aWaiter.returned.toCompletableFuture().cancel(false);
            }
          }
          case TIME_OUT_WAITING -> {
            if (aWaiter != null) {
              aWaiter.timer.fire();
              assertThat(aWaiter.returned.toCompletableFuture()).isCompletedExceptionally();
            }
          }
          case THROW -> bulkhead.callAsync(() -> {
            throw new IllegalStateException("no stage");
          });
          case MANUAL -> {
            if (bulkhead.tryAcquire()) {
              bulkhead.release(); // hands the slot to the longest waiter, if any
            }
          }
        }
        long held = calls.stream().filter(Call::holding).count();
        assertThat(bulkhead.inFlight()).as("in flight after %s", op).isEqualTo(held).isBetween(0, max);
        if (calls.stream().anyMatch(Call::waiting)) {
          assertThat(bulkhead.inFlight()).as("a call waits only while every slot is taken").isEqualTo(max);
        }
      }
      for (Call call : calls) {
        if (call.returned.toCompletableFuture().isCompletedExceptionally() && !call.started.get()) {
          assertThat(call.action).as("a call that ended waiting never ran").isNotDone();
        }
      }
      // Finish everything: each running call completes (which hands its slot to the next waiter, if any).
      while (calls.stream().anyMatch(Call::holding)) {
        calls.stream().filter(Call::holding).findFirst().orElseThrow().action.complete("end");
      }
      assertThat(calls).noneMatch(Call::waiting);
      assertThat(bulkhead.inFlight()).isZero();
      for (int i = 0; i < max; i++) {
        assertThat(bulkhead.tryAcquire()).as("every slot is free again").isTrue();
      }
      assertThat(bulkhead.tryAcquire()).as("and no slot was added").isFalse();
    } finally {
      timers.shutdownNow();
    }
  }

  /** A scheduler whose timers fire only when the test says so. */
  static final class ManualTimers extends ScheduledThreadPoolExecutor {
    final List<Timer> scheduled = new ArrayList<>();

    ManualTimers() {
      super(0);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
      Timer timer = new Timer(command);
      scheduled.add(timer);
      return timer;
    }

    /** A timer that runs its task once when fired, unless cancelled first. */
    static final class Timer extends CompletableFuture<Object> implements ScheduledFuture<Object> {
      private final Runnable task;

      Timer(Runnable task) {
        this.task = task;
      }

      void fire() {
        if (complete(null)) {
          task.run();
        }
      }

      @Override
      public long getDelay(TimeUnit unit) {
        return 0;
      }

      @Override
      public int compareTo(Delayed other) {
        return 0;
      }
    }
  }

  private static void callQuietly(Bulkhead bulkhead, boolean fail) {
    try {
      bulkhead.call(() -> {
        if (fail) {
          throw new IOException("down");
        }
        return "ok";
      });
    } catch (Exception expected) {
      // refused when full, or the action's own failure: either way no slot may stay taken
    }
  }
}
