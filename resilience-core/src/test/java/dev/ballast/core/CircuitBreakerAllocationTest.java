package dev.ballast.core;

import dev.ballast.testsupport.ManualTicker;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The closed-state success path must allocate nothing, whatever the JIT makes of it. */
class CircuitBreakerAllocationTest {

  private static final int CALLS = 200_000;
  private final ManualTicker now = new ManualTicker();

  @Test
  void countWindowSuccessPathAllocatesNothing() throws Exception {
    assertNoAllocation(CircuitBreaker.builder().name("count").ticker(now::read).countWindow(100).build());
  }

  @Test
  void timeWindowSuccessPathAllocatesNothing() throws Exception {
    assertNoAllocation(CircuitBreaker.builder().name("time").ticker(now::read)
        .timeWindow(Duration.ofSeconds(10)).build());
  }

  private static void assertNoAllocation(CircuitBreaker breaker) throws Exception {
    com.sun.management.ThreadMXBean threads = threadBean();
    long id = Thread.currentThread().getId();
    run(breaker); // warm up, and let the time window create its bucket
    long before = threads.getThreadAllocatedBytes(id);
    run(breaker);
    long allocated = threads.getThreadAllocatedBytes(id) - before;
    // The counter itself may report a few hundred bytes of noise; a per-call allocation would be MBs.
    assertThat(allocated).isLessThan(CALLS / 100);
  }

  private static void run(CircuitBreaker breaker) throws Exception {
    for (int i = 0; i < CALLS; i++) {
      if (breaker.tryAcquirePermission()) {
        breaker.onSuccess(1_000);
      }
      breaker.call(() -> Boolean.TRUE);
    }
  }

  private static com.sun.management.ThreadMXBean threadBean() {
    java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
    assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "needs HotSpot's allocation counter");
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) bean;
    assumeTrue(threads.isThreadAllocatedMemorySupported(), "needs HotSpot's allocation counter");
    threads.setThreadAllocatedMemoryEnabled(true);
    return threads;
  }
}
