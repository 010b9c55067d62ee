package dev.ballast.examples;

import dev.ballast.degradation.Switchboard;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The demo's two runs and their report: the scenario without Ballast, then with Ballast on a flushed
 * Redis, each against fresh backends; then the tables, the summary and the HTML report. Used by
 * {@link Demo#main} and, with short phases, by the test.
 */
final class StorefrontDemo {

  /**
   * Both runs and where the report went.
   *
   * @param without the run without Ballast
   * @param with the run with Ballast
   * @param report the HTML report
   */
  record Runs(RunResult without, RunResult with, Path report) {}

  private final DemoSettings settings;
  private final DemoRedis redis;
  private final MeterRegistry metrics;
  private final ConsoleReport console;
  private final AtomicReference<Switchboard> current;

  /**
   * @param current set to the running switchboard while there is one, for the operator page
   */
  StorefrontDemo(DemoSettings settings, DemoRedis redis, MeterRegistry metrics, ConsoleReport console,
      AtomicReference<Switchboard> current) {
    this.settings = settings;
    this.redis = redis;
    this.metrics = metrics;
    this.console = console;
    this.current = current;
  }

  Runs run(Scenario scenario) throws IOException {
    ScenarioRunner runner = new ScenarioRunner(settings, console);
    Backends plainBackends = Backends.fresh();
    RunResult without;
    try (PlainDeployment plain = new PlainDeployment(plainBackends)) {
      without = runner.run(scenario, plain, plainBackends, new FlipLog());
    }
    console.runTable(without);

    redis.flush(); // the cache, the queue and the switchboard start empty
    Backends backends = Backends.fresh();
    FlipLog flips = new FlipLog();
    RunResult with;
    try (BallastDeployment fleet = BallastDeployment.start(backends, redis.client(), metrics, flips)) {
      current.set(fleet.switchboard());
      with = runner.run(scenario, fleet, backends, flips);
    } finally {
      current.set(null);
    }
    console.runTable(with);
    Path report = HtmlReport.write(settings.report(), settings, scenario, without, with);
    console.summary(without, with, report);
    return new Runs(without, with, report);
  }
}
