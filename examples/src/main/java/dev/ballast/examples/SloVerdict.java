package dev.ballast.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The plain-words verdict on one phase against the seeds' SLO (p95 under 300 ms, errors under 0.5 %) and,
 * when it is not held, what the errors were, from their causes.
 */
final class SloVerdict {

  private SloVerdict() {}

  static String of(PhaseResult p) {
    String figures = String.format(Locale.ROOT, "p95 %s ms, errors %s", ConsoleReport.ms(p.p95Millis()),
        ConsoleReport.percent(p.errorRatio()))
        + (p.writesDeferred() > 0 ? ", " + p.writesDeferred() + (p.writesDeferred() == 1 ? " write" : " writes")
            + " deferred to the job queue" : "");
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
    String why = why(p.errorCauses());
    return p.name() + ": NOT held, " + missed + " (" + figures + ")" + (why.isEmpty() ? "" : "; the errors: " + why);
  }

  /** The error causes in words, most frequent first, e.g. "products not in the cache while ...: 60". */
  static String why(Map<String, Long> causes) {
    List<String> parts = new ArrayList<>();
    causes.forEach((cause, count) -> parts.add(describe(cause) + ": " + count)); // "...: 1" reads right too
    return String.join(", ", parts);
  }

  private static String describe(String cause) {
    if (cause.startsWith("ReadOnlyModeException")) { // deferred when refused by read-only mode: should not be
      return "writes refused in read-only mode " + cause.substring("ReadOnlyModeException ".length());
    }
    if (cause.equals("OriginSparedException")) {
      return "products not in the cache while serve-cached spared the database";
    }
    if (cause.equals("OrderNotStoredException")) {
      return "checkouts paid but not stored (the database refused the order)";
    }
    if (cause.equals("CircuitOpenException")) {
      return "calls refused by an open breaker";
    }
    if (cause.equals("TooManyRequests")) {
      return "429s from the payment provider";
    }
    if (cause.equals("RateLimitExceededException")) {
      return "checkouts refused by our payment limiter";
    }
    if (cause.startsWith("over the")) {
      return "responses " + cause;
    }
    if (cause.startsWith("database unavailable")) {
      return "queries refused by the database in its outage";
    }
    if (cause.startsWith("no connection free")) {
      return "queries that found no free database connection within 500 ms";
    }
    return cause;
  }
}
