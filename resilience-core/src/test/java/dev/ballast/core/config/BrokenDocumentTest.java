package dev.ballast.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Whatever a broken file says, loading it ends in a ConfigException with a line, never anything else. */
class BrokenDocumentTest {

  private static final String VALID = """
      extends: external-api
      rateLimiters:
        payments:
          rate: 50/s burst 75
      retries:
        payments:
          maxAttempts: 3
          backoff: { initial: 1s, max: 16s, jitter: full }
      circuitBreakers:
        payments: { countWindow: 100, failureRateThreshold: 50% }
      timeouts:
        payments: { limit: 300ms }
      """;

  @Property(tries = 500)
  void aMutatedDocumentLoadsOrFailsWithAConfigException(
      @ForAll @IntRange(min = 0, max = 400) int position,
      @ForAll("junk") String inserted,
      @ForAll @IntRange(min = 0, max = 12) int deleted) {
    int at = Math.min(position, VALID.length());
    String broken = VALID.substring(0, at) + inserted + VALID.substring(Math.min(VALID.length(), at + deleted));
    try {
      Configuration.parse(broken, "broken.yaml").buildRegistry(ConfigContext.defaults());
    } catch (ConfigException expected) {
      assertThat(expected.getMessage()).startsWith("broken.yaml:").doesNotContain("null");
      assertThat(expected.line()).isBetween(0, broken.split("\n", -1).length + 1);
    }
  }

  @Provide
  Arbitrary<String> junk() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withChars(":{}[]-,#&*!|>'\"%@` \n\t").ofMaxLength(4),
        Arbitraries.strings().alpha().numeric().ofMaxLength(6),
        Arbitraries.of("", "x: y\n", "  ", "\n  - ", "<<: *a", "!!java.lang.Object {}", "~"));
  }
}
