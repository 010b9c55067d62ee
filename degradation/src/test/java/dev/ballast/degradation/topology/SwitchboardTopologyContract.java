package dev.ballast.degradation.topology;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ballast.degradation.Mode;
import dev.ballast.degradation.Reason;
import dev.ballast.degradation.Signal;
import dev.ballast.degradation.SwitchName;
import dev.ballast.degradation.Switchboard;
import dev.ballast.degradation.SwitchboardBuilder;
import dev.ballast.degradation.Trigger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The switchboard's fleet contract on one topology: three boards (each with a client of its own, as three
 * processes would have) converge on a manual flip, a mode and a fleet trigger's engagement, and, where the
 * topology fails over, on a flip made after the master holding the board's slot was killed. Subclasses give
 * the topology (one server, Sentinel, Cluster).
 */
public abstract class SwitchboardTopologyContract {

  /** Convergence on a loaded machine; a failover itself takes a few seconds on the local topologies. */
  protected static final Duration DEADLINE = Duration.ofSeconds(30);

  private final List<Switchboard> boards = new ArrayList<>();
  protected String name;

  /** Gives {@code builder} the fleet's Redis through a new client of its own (shut down by {@link #shutDownClients}). */
  protected abstract SwitchboardBuilder attach(SwitchboardBuilder builder);

  /** Shuts down the clients {@link #attach} made. */
  protected abstract void shutDownClients();

  /**
   * Kills (SIGKILL) the master holding the keys of board {@code board} and waits until a replica took over.
   * The topology's extension heals it after the test.
   */
  protected abstract void killTheMasterOf(String board);

  /** How often the boards re-read the whole state (the safety net for a subscription the topology cannot move). */
  protected Duration refreshEvery() {
    return Duration.ofSeconds(30);
  }

  @BeforeEach
  void nameTheBoard(TestInfo info) {
    name = info.getTestMethod().orElseThrow().getName() + "-" + System.nanoTime();
  }

  @AfterEach
  void closeTheBoards() {
    boards.forEach(Switchboard::close);
    boards.clear();
    shutDownClients();
  }

  private Switchboard board(String instance, Trigger... triggers) {
    SwitchboardBuilder b = Switchboard.builder().name(name).instanceId(instance).redisTimeout(Duration.ofMillis(500))
        .refreshEvery(refreshEvery()).fleetTriggerLease(Duration.ofSeconds(6))
        .evaluateEvery(Duration.ofMillis(100)).mode(Mode.degrading("maintenance", SwitchName.READ_ONLY));
    for (Trigger t : triggers) {
      b.trigger(t);
    }
    Switchboard board = attach(b).build();
    boards.add(board);
    return board;
  }

  private List<Switchboard> three(Trigger... triggers) {
    return List.of(board("a", triggers), board("b", triggers), board("c", triggers));
  }

  private static void awaitAll(List<Switchboard> boards, Predicate<Switchboard> condition, String what) {
    await(what).atMost(DEADLINE).untilAsserted(() -> assertThat(boards).allMatch(condition, what));
  }

  @Test
  void aManualFlipAndItsReleaseReachEveryBoard() {
    List<Switchboard> boards = three();
    boards.get(0).degrade(SwitchName.SERVE_CACHED, new Reason("alice", "origin hot"));
    awaitAll(boards, Switchboard::isServingCached, "serving cached");
    boards.get(1).release(SwitchName.SERVE_CACHED, "bob");
    awaitAll(boards, b -> !b.isServingCached(), "serving fresh again");
  }

  @Test
  void aModeEnteredOnOneBoardIsActiveOnEveryBoardAndLeavesEverywhere() {
    List<Switchboard> boards = three();
    boards.get(1).enterMode("maintenance", new Reason("alice", "migration"));
    awaitAll(boards, b -> b.isReadOnly() && b.activeModes().contains("maintenance"), "in maintenance");
    boards.get(2).leaveMode("maintenance", "alice");
    awaitAll(boards, b -> !b.isReadOnly() && b.activeModes().isEmpty(), "out of maintenance");
  }

  @Test
  void aFleetTriggerEngagedOnOneBoardDegradesEveryBoardAndDisengagesEverywhere() {
    AtomicReference<Double> busy = new AtomicReference<>(0.0);
    AtomicReference<Double> calm = new AtomicReference<>(0.0);
    Switchboard a = board("a", trigger(busy));
    List<Switchboard> boards = List.of(a, board("b", trigger(calm)), board("c", trigger(calm)));
    busy.set(10.0);
    awaitAll(boards, Switchboard::isServingCached, "degraded by a's fleet trigger");
    busy.set(0.0);
    awaitAll(boards, b -> !b.isServingCached(), "restored when a's trigger disengaged");
  }

  @Test
  void threeBoardsConvergeAfterTheMasterHoldingTheBoardIsKilled() {
    List<Switchboard> boards = three();
    boards.get(0).degrade(SwitchName.READ_ONLY, new Reason("alice", "before the failover"));
    awaitAll(boards, Switchboard::isReadOnly, "read-only before the failover");

    killTheMasterOf(name);

    // A flip after the failover reaches every board: each writes to the new master and hears its broadcast
    // (or re-reads on the resubscribe notice / periodic check that follows a failover).
    // A flip Redis does not take yet (the client still finding the new master) waits and is written later.
    boards.get(1).degrade(SwitchName.SERVE_CACHED, new Reason("bob", "after the failover"));
    awaitAll(boards, Switchboard::isServingCached, "serving cached after the failover");
    boards.get(2).release(SwitchName.READ_ONLY, "carol");
    awaitAll(boards, b -> !b.isReadOnly() && b.isServingCached(), "converged after the failover");
  }

  private static Trigger trigger(AtomicReference<Double> signal) {
    return Trigger.builder("busy").signal(Signal.of("v", signal::get)).enterAt(5).exitAt(1).minDwell(Duration.ZERO)
        .degrade(SwitchName.SERVE_CACHED).scope(Trigger.Scope.FLEET).build();
  }
}
