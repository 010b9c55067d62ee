package dev.ballast.examples;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Runs the scenario against one deployment: warm-up, then each phase in turn (starting or ending the
 * database outage at its boundary), a sample of the service's state at every second (and a progress
 * line for the requests scheduled in it), then waits for the last requests and for the job queues to drain (confirmations and deferred
 * writes), and assembles the {@link RunResult}.
 */
final class ScenarioRunner {

  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration SETTLE_TIMEOUT = Duration.ofSeconds(15);

  /** Counters at a phase boundary. */
  private record Snapshot(long databaseCalls, long productQueriesAnswered, JobStats jobs, long writesDeferred,
      String switchboard, String searchLimit) {}

  private final DemoSettings settings;
  private final ConsoleReport console;

  ScenarioRunner(DemoSettings settings, ConsoleReport console) {
    this.settings = settings;
    this.console = console;
  }

  RunResult run(Scenario scenario, Deployment deployment, Backends backends, FlipLog flips) {
    console.runStarts(deployment.label());
    try (LoadDriver driver = new LoadDriver(settings.clientThreads(), settings.deadline(),
        deployment.withBallast() ? "order-b-" : "order-p-")) {
      long start = driver.drive(scenario.warmUp(), System.nanoTime(), deployment.instances(), null, -1);
      start = settle(deployment, driver, scenario.warmUp(), start);
      Timeline timeline = new Timeline(start, scenario.phases());
      flips.startAt(start);
      List<Double> phaseStarts = phaseStartsOf(scenario);
      Thread sampler = new Thread(() -> sampleAndReport(timeline, scenario, phaseStarts, deployment, backends,
          flips), "sampler");
      sampler.setDaemon(true);
      sampler.start();
      List<Snapshot> boundaries = new ArrayList<>();
      boundaries.add(snapshot(deployment, backends));
      long phaseStart = start;
      for (int i = 0; i < scenario.phases().size(); i++) {
        Phase phase = scenario.phases().get(i);
        backends.database().outage(phase.databaseDown());
        phaseStart = driver.drive(phase, phaseStart, deployment.instances(), timeline, i);
        boundaries.add(snapshot(deployment, backends));
      }
      timeline.allScheduled();
      backends.database().outage(false);
      driver.awaitIdle(settings.deadline().multipliedBy(5));
      join(sampler, Duration.ofNanos(lineLagNanos()).plusSeconds(2));
      drain(deployment);
      return new RunResult(deployment.label(), deployment.withBallast(), phases(scenario, timeline, boundaries),
          phaseStarts, seconds(timeline), flips.flips(), deployment.jobs(), deployment.deferredWrites(),
          searches(scenario, timeline, boundaries));
    }
  }

  /**
   * Both runs start their recorded phases from a steady state: if the switchboard is still degraded after
   * the warm-up (a cold start's first requests can be slow enough for the latency trigger), warm-up
   * traffic goes on, a second at a time, until it steps back (at most {@link #SETTLE_TIMEOUT}).
   */
  private long settle(Deployment deployment, LoadDriver driver, Phase warmUp, long start) {
    long deadline = start + SETTLE_TIMEOUT.toNanos();
    Phase more = new Phase(warmUp.name(), Duration.ofSeconds(1), warmUp.requestsPerSecond(), false);
    boolean told = false;
    while (deployment.withBallast() && !deployment.switchboardState().equals("normal") && start < deadline) {
      if (!told) {
        console.settling(deployment.switchboardState());
        told = true;
      }
      start = driver.drive(more, start, deployment.instances(), null, -1);
    }
    return start;
  }

  private static List<Double> phaseStartsOf(Scenario scenario) {
    List<Double> starts = new ArrayList<>();
    double at = 0;
    for (Phase phase : scenario.phases()) {
      starts.add(at);
      at += phase.duration().toMillis() / 1000.0;
    }
    return starts;
  }

  private static Snapshot snapshot(Deployment deployment, Backends backends) {
    SimulatedDatabase database = backends.database();
    return new Snapshot(database.calls(), database.answered(SimulatedDatabase.Query.PRODUCT), deployment.jobs(),
        deployment.deferredWrites().enqueued(), deployment.switchboardState(), deployment.searchLimit());
  }

  /**
   * Samples the service's state at the end of every second, and prints each second's progress line once
   * the requests scheduled in it have finished (or {@link #lineLagNanos} after its end, saying how many
   * had not): the line shows what the tables and charts show for that second. The flips are printed in
   * time order between the lines.
   */
  private void sampleAndReport(Timeline timeline, Scenario scenario, List<Double> phaseStarts,
      Deployment deployment, Backends backends, FlipLog flips) {
    long lastCalls = backends.database().calls();
    int count = timeline.secondCount();
    int sampled = 0;
    int printed = 0;
    int flipsShown = 0;
    String stateShown = "-"; // without Ballast the state stays "-" and is never printed
    while (printed < count && !Thread.currentThread().isInterrupted()) {
      long now = System.nanoTime();
      if (sampled < count && now - endOf(timeline, sampled) >= 0) {
        long calls = backends.database().calls();
        timeline.sample(sampled++, new Timeline.Sample(calls - lastCalls, deployment.serveCached(),
            deployment.switchboardState(), deployment.jobs().waiting(), deployment.deferredWrites().waiting()));
        lastCalls = calls;
      } else if (printed < sampled && ((timeline.scheduledThrough(printed) && timeline.unfinished(printed) == 0)
          || now - endOf(timeline, printed) >= lineLagNanos())) {
        List<FlipLog.Flip> seen = flips.flips();
        for (; flipsShown < seen.size() && seen.get(flipsShown).atSeconds() < printed + 1; flipsShown++) {
          console.flip(seen.get(flipsShown));
        }
        Timeline.Sample sample = timeline.sampleOf(printed);
        if (!sample.switchboard().equals(stateShown)) {
          stateShown = sample.switchboard();
          console.switchboard(stateShown);
        }
        console.progress(printed + 1, scenario.phases().get(phaseAt(phaseStarts, printed)),
            timeline.second(printed), timeline.unfinished(printed), timeline.scheduledThrough(printed), sample);
        printed++;
      } else {
        long poll = TimeUnit.MILLISECONDS.toNanos(10);
        LockSupport.parkNanos(sampled < count ? Math.max(1, Math.min(poll, endOf(timeline, sampled) - now)) : poll);
      }
    }
  }

  /** When second {@code second} of the run ends, in {@link System#nanoTime()} terms. */
  private static long endOf(Timeline timeline, int second) {
    return timeline.startNanos() + TimeUnit.SECONDS.toNanos(second + 1);
  }

  /** The longest a progress line waits for its second's requests: by then the rest are over the deadline. */
  private long lineLagNanos() {
    return settings.deadline().multipliedBy(3).toNanos();
  }

  private static int phaseAt(List<Double> phaseStarts, int second) {
    int phase = 0;
    for (int i = 0; i < phaseStarts.size(); i++) {
      if (phaseStarts.get(i) <= second) {
        phase = i;
      }
    }
    return phase;
  }

  /**
   * Waits, at most {@link #DRAIN_TIMEOUT}, until both queues are done: no job waiting and each accounted
   * for. The writes are read before the confirmations: an applied {@code place-order} job has queued its
   * confirmation by then, so the check cannot pass while a confirmation is uncounted.
   */
  private void drain(Deployment deployment) {
    long deadline = System.nanoTime() + DRAIN_TIMEOUT.toNanos();
    long nextReport = System.nanoTime();
    JobStats writes = deployment.deferredWrites();
    JobStats jobs = deployment.jobs();
    while (!(done(jobs) && done(writes)) && System.nanoTime() < deadline) {
      if (System.nanoTime() >= nextReport) {
        console.draining(jobs, writes);
        nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
      writes = deployment.deferredWrites();
      jobs = deployment.jobs();
    }
  }

  private static boolean done(JobStats jobs) {
    return jobs.waiting() == 0 && jobs.noneLost();
  }

  private static List<PhaseResult> phases(Scenario scenario, Timeline timeline, List<Snapshot> boundaries) {
    List<PhaseResult> results = new ArrayList<>();
    for (int i = 0; i < scenario.phases().size(); i++) {
      Slice slice = timeline.phase(i);
      Snapshot before = boundaries.get(i);
      Snapshot after = boundaries.get(i + 1);
      // Reads answered that no product query answered came from the cache. Reads are grouped by when they
      // were scheduled and queries by when they ran: at a boundary the two may differ by a few, hence the clamp.
      long reads = slice.productReads();
      long fromDatabase = after.productQueriesAnswered() - before.productQueriesAnswered();
      double hitRatio = reads == 0 ? 0 : Math.max(0, Math.min(1, (double) (slice.productReadsAnswered() - fromDatabase) / reads));
      results.add(new PhaseResult(scenario.phases().get(i).name(), slice.requests(), slice.percentileMillis(50),
          slice.percentileMillis(95), slice.percentileMillis(99), slice.errorRatio(), slice.degradedRatio(),
          after.databaseCalls() - before.databaseCalls(), hitRatio, after.writesDeferred() - before.writesDeferred(),
          after.jobs().waiting(),
          after.jobs().oldestAgeMillis(), after.switchboard(), slice.errorCauses()));
    }
    return results;
  }

  private static List<SearchResult> searches(Scenario scenario, Timeline timeline, List<Snapshot> boundaries) {
    List<SearchResult> results = new ArrayList<>();
    for (int i = 0; i < scenario.phases().size(); i++) {
      Phase phase = scenario.phases().get(i);
      SearchSlice slice = timeline.searches(i);
      double seconds = phase.duration().toNanos() / 1e9;
      results.add(new SearchResult(phase.name(), slice.requests(), slice.inTime() / seconds, slice.errors(),
          slice.shed(), slice.shedMillis(95), slice.refusalMillis(50), slice.refusalMillis(95), slice.refusalMillis(99),
          slice.retryAfterMedianMillis(), slice.retryAfterMinMillis(),
          slice.answeredMillis(95), boundaries.get(i + 1).searchLimit()));
    }
    return results;
  }

  private static List<SecondResult> seconds(Timeline timeline) {
    List<SecondResult> seconds = new ArrayList<>();
    for (int s = 0; s < timeline.secondCount(); s++) {
      Slice slice = timeline.second(s);
      Timeline.Sample sample = timeline.sampleOf(s);
      seconds.add(new SecondResult(s, slice.requests(), slice.percentileMillis(95), slice.errorRatio(),
          sample == null ? -1 : sample.databaseCalls(), sample != null && sample.serveCached()));
    }
    return seconds;
  }

  private static void join(Thread thread, Duration timeout) {
    try {
      thread.join(timeout.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
