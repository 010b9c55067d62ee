package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Slots never leak and never multiply, whatever order calls start and end in: success, failure,
 * cancellation by the caller, cancellation by an outer timeout (what {@link Timeout} does to the stage it
 * waits for), a late completion after a cancellation, an action that throws, and synchronous calls.
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
