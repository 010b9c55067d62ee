package dev.ballast.examples;

import java.util.Locale;

/** The plain-words verdict on one phase against the seeds' SLO: p95 under 300 ms, errors under 0.5 %. */
final class SloVerdict {

  private SloVerdict() {}

  static String of(PhaseResult p) {
    String figures = String.format(Locale.ROOT, "p95 %s ms, errors %s", ConsoleReport.ms(p.p95Millis()),
        ConsoleReport.percent(p.errorRatio()));
    if (p.meetsSlo()) {
      return p.name() + ": held (" + figures + ")";
    }
    StringBuilder missed = new StringBuilder();
    if (p.p95Millis() >= 300) {
      missed.append("p95 at or over 300 ms");
    }
    if (p.errorRatio() >= 0.005) {
      missed.append(missed.length() == 0 ? "" : " and ").append("errors at or over 0.5 %");
    }
    return p.name() + ": NOT held, " + missed + " (" + figures + ")";
  }
}
