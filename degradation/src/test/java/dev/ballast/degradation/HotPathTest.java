package dev.ballast.degradation;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HotPathTest {

  @Test
  void readsAllocateNothing() {
    Switchboard board = Switchboard.builder().name("hot").features("a", "b", "c").manualSchedule().build();
    board.degrade(SwitchName.feature("b"), new Reason("ops", "test"));
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    int yes = 0;
    for (int round = 0; round < 2; round++) { // the first round warms up, the second is measured
      long before = threads.getThreadAllocatedBytes(id);
      for (int i = 0; i < 100_000; i++) {
        yes += board.isFeatureEnabled("a") ? 1 : 0;
        yes += board.isFeatureEnabled("b") ? 1 : 0;
        yes += board.isReadOnly() ? 1 : 0;
        yes += board.spareOriginSignal().getAsBoolean() ? 1 : 0;
        board.guardWrite("w");
      }
      long allocated = threads.getThreadAllocatedBytes(id) - before;
      if (round == 1) {
        assertThat(allocated).as("bytes allocated by 500,000 reads").isLessThan(1_024);
      }
    }
    assertThat(yes).isEqualTo(200_000);
    board.close();
  }

  @Test
  void readersOnOtherThreadsSeeEachChangeWholeNeverHalfApplied() throws Exception {
    Switchboard board = Switchboard.builder().name("atomic").features("a", "b").manualSchedule().build();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<String> torn = new AtomicReference<>();
    CountDownLatch started = new CountDownLatch(2);
    Runnable reader = () -> {
      started.countDown();
      while (!stop.get()) {
        // survival flips all of these at once: one snapshot must show all of them or none
        java.util.List<Switch> all = board.switches();
        long degraded = all.stream().filter(Switch::degraded).count();
        if (degraded != 0 && degraded != all.size()) {
          torn.compareAndSet(null, all.toString());
        }
      }
    };
    Thread r1 = new Thread(reader);
    Thread r2 = new Thread(reader);
    r1.start();
    r2.start();
    started.await();
    for (int i = 0; i < 2_000; i++) {
      board.enterMode(Mode.SURVIVAL, new Reason("ops", "round " + i));
      board.leaveMode(Mode.SURVIVAL, "ops");
    }
    stop.set(true);
    r1.join();
    r2.join();
    assertThat(torn.get()).isNull();
    board.close();
  }
}
