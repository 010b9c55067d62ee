package dev.ballast.examples;

import dev.ballast.degradation.Switchboard;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The README's first command ({@code mvn -q -B -Pdemo -pl examples -am -DskipTests verify}): a storefront
 * of two instances driven through a baseline, a 10x spike, a database outage and recovery, once without
 * and once with Ballast, on a Redis it starts itself ({@code REDIS_URL} to use yours). Prints a table per
 * phase and a summary, writes {@code target/ballast-demo-report.html}, serves an operator page while it
 * runs, and stops everything it started. {@code -Ddemo.phaseSeconds=30} (or {@code --long}) for a longer
 * run; {@code -Ddemo.port=8080} to choose the operator page's port.
 */
public final class Demo {

  private Demo() {}

  /**
   * Runs the demo.
   *
   * @param args {@code --long} for 30 s phases
   * @throws Exception if Redis cannot be started or the report cannot be written
   */
  public static void main(String[] args) throws Exception {
    long began = System.nanoTime();
    DemoSettings settings = DemoSettings.fromSystemProperties(List.of(args));
    Scenario scenario = Scenario.standard(settings);
    ConsoleReport console = new ConsoleReport(System.out);
    AtomicReference<Switchboard> current = new AtomicReference<>();
    PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (DemoRedis redis = DemoRedis.launch();
        OperatorServer operator = OperatorServer.start(settings.port(), current::get, metrics)) {
      console.intro(settings, scenario, redis.description(), operator.uri(), operator.token());
      new StorefrontDemo(settings, redis, metrics, console, current).run(scenario);
    } finally {
      metrics.close();
    }
    console.done((System.nanoTime() - began) / 1e9);
  }
}
