package dev.ballast.core.config;

import dev.ballast.core.config.spi.ConfigNode;
import dev.ballast.core.config.spi.ConfigSection;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.Jitter;
import dev.ballast.core.Rate;
import dev.ballast.core.RateLimiter;
import dev.ballast.core.Registry;
import dev.ballast.core.Retry;
import dev.ballast.core.Timeout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigurationTest {

  private static Registry build(String yaml) {
    return Configuration.parse(yaml, "test.yaml").buildRegistry(ConfigContext.defaults());
  }

  private static void assertError(String yaml, int line, String... fragments) {
    assertThatThrownBy(() -> build(yaml))
        .isInstanceOf(ConfigException.class)
        .satisfies(e -> assertThat(((ConfigException) e).line()).as(e.getMessage()).isEqualTo(line))
        .hasMessageStartingWith("test.yaml:" + line + ":")
        .hasMessageContainingAll(fragments);
  }

  @Test
  void theExternalApiPresetBuildsItsFourPolicies() {
    Registry registry = Configuration.preset("external-api").buildRegistry(ConfigContext.defaults());

    RateLimiter limiter = registry.get("external-api", RateLimiter.class);
    assertThat(limiter.config().capacity()).isEqualTo(150);
    assertThat(limiter.config().refillPermits()).isEqualTo(100);
    Retry retry = registry.get("external-api", Retry.class);
    assertThat(retry.config().maxAttempts()).isEqualTo(3);
    assertThat(retry.config().backoff().initial()).isEqualTo(Duration.ofSeconds(1));
    assertThat(retry.config().backoff().max()).isEqualTo(Duration.ofSeconds(16));
    assertThat(retry.config().backoff().jitter()).isEqualTo(Jitter.FULL);
    assertThat(retry.config().budget().ratio()).isEqualTo(0.1);
    CircuitBreaker breaker = registry.get("external-api", CircuitBreaker.class);
    assertThat(breaker.config().failureRateThreshold()).isEqualTo(0.5);
    assertThat(breaker.config().openDuration()).isEqualTo(Duration.ofSeconds(30));
    assertThat(registry.get("external-api", Timeout.class).config().limit()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void aTeamFileExtendsAPresetAndOverridesOneKey() {
    Registry registry = build("""
        extends: external-api
        rateLimiters:
          external-api:
            rate: 50/s burst 75
        timeouts:
          search:
            limit: 300ms
        """);
    RateLimiter limiter = registry.get("external-api", RateLimiter.class);
    assertThat(limiter.config().refillPermits()).isEqualTo(50);
    assertThat(limiter.config().capacity()).as("the burst").isEqualTo(75);
    assertThat(registry.get("search", Timeout.class).config().limit()).isEqualTo(Duration.ofMillis(300));
    assertThat(registry.get("external-api", Retry.class).config().maxAttempts()).isEqualTo(3);
  }

  @Test
  void aBreakerEntrySetsItsHalfOpenTimeoutOrKeepsTheDefault() {
    Registry registry = build("""
        extends: external-api
        circuitBreakers:
          patient:
            maxHalfOpenDuration: none
          impatient:
            maxHalfOpenDuration: 5s
        """);
    assertThat(registry.get("external-api", CircuitBreaker.class).config().maxHalfOpenDuration())
        .as("the preset keeps the default").isEqualTo(Duration.ofSeconds(60));
    assertThat(registry.get("patient", CircuitBreaker.class).config().maxHalfOpenDuration())
        .as("none: wait forever").isNull();
    assertThat(registry.get("impatient", CircuitBreaker.class).config().maxHalfOpenDuration())
        .isEqualTo(Duration.ofSeconds(5));
    assertError("circuitBreakers:\n  c:\n    maxHalfOpenDuration: soon\n", 3,
        "circuitBreakers.c.maxHalfOpenDuration", "must be a duration");
    assertError("circuitBreakers:\n  c:\n    maxHalfOpenDuration: 0\n", 3,
        "circuitBreakers.c.maxHalfOpenDuration", "write 'none' to wait for the probes forever");
  }

  @Test
  void aFileExtendsSeveralParentsLaterOnesWinning(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("common.yaml"), "timeouts:\n  shared: { limit: 1s }\n");
    Files.writeString(dir.resolve("a.yaml"), "extends: common.yaml\ntimeouts:\n  a: { limit: 2s }\n  both: { limit: 2s }\n");
    Files.writeString(dir.resolve("b.yaml"), "extends: common.yaml\ntimeouts:\n  both: { limit: 3s }\n");
    Files.writeString(dir.resolve("team.yaml"), "extends: [a.yaml, b.yaml, external-api]\n");

    Registry registry = Configuration.load(dir.resolve("team.yaml")).buildRegistry(ConfigContext.defaults());

    assertThat(registry.get("a", Timeout.class).config().limit()).isEqualTo(Duration.ofSeconds(2));
    assertThat(registry.get("both", Timeout.class).config().limit()).isEqualTo(Duration.ofSeconds(3));
    assertThat(registry.get("shared", Timeout.class).config().limit()).isEqualTo(Duration.ofSeconds(1));
    assertThat(registry.get("external-api", Timeout.class).config().limit()).isEqualTo(Duration.ofSeconds(2));
  }

  @Test
  void aFileExtendsAFileBesideIt(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("base.yaml"), "extends: external-api\nretries:\n  external-api:\n    maxAttempts: 5\n");
    Files.writeString(dir.resolve("team.yaml"), "extends: base.yaml\nretries:\n  external-api:\n    maxAttempts: 2\n");
    Files.writeString(dir.resolve("middle.yaml"), "extends: base.yaml\n");
    assertThat(Configuration.load(dir.resolve("team.yaml")).buildRegistry(ConfigContext.defaults())
        .get("external-api", Retry.class).config().maxAttempts()).isEqualTo(2);
    assertThat(Configuration.load(dir.resolve("middle.yaml")).buildRegistry(ConfigContext.defaults())
        .get("external-api", Retry.class).config().maxAttempts()).isEqualTo(5);
  }

  @Test
  void aCycleOfExtendsIsReported(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("a.yaml"), "extends: b.yaml\n");
    Files.writeString(dir.resolve("b.yaml"), "extends: a.yaml\n");
    assertThatThrownBy(() -> Configuration.load(dir.resolve("a.yaml")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("extends itself");
  }

  @Test
  void aMisspeltKeyGetsASuggestionWithItsLine() {
    assertError("""
        retries:
          payments:
            maxAtempts: 3
        """, 3, "retries.payments.maxAtempts", "unknown key", "did you mean 'maxAttempts'?");
  }

  @Test
  void aMisspeltSectionGetsASuggestion() {
    assertError("""
        timeouts:
          a: { limit: 1s }
        retrys:
          payments: {}
        """, 3, "retrys", "did you mean 'retries'?");
  }

  @Test
  void aSectionOfAModuleNotOnTheClassPathNamesTheModule() {
    assertError("""
        retries:
          a: { maxAttempts: 2 }
        caches:
          products: { ttl: 15m }
        """, 3, "caches", "dev.ballast:ballast-cache-tiers", "not on the class path");
  }

  @Test
  void sectionsBuildInTheirOrderSoALaterOneFindsAnEarlierOnesComponents() {
    java.util.List<String> seen = new java.util.ArrayList<>();
    ConfigSection late = new ConfigSection() {
      public String key() { return "late"; }
      public int order() { return 10; }
      public java.util.Set<String> entryKeys() { return java.util.Set.of(); }
      public void build(ConfigNode section, ConfigContext context, Registry.Builder registry) {
        seen.add(registry.get("a", Retry.class).config().maxAttempts() + " attempts");
      }
    };
    // "late" is written first and discovered first, yet builds after retries.
    Configuration.parse("""
        late: {}
        retries:
          a: { maxAttempts: 2 }
        """, "test.yaml").buildRegistry(ConfigContext.defaults(),
        java.util.List.of(late, new dev.ballast.core.internal.config.RetriesSection()));
    assertThat(seen).containsExactly("2 attempts");
  }

  @Test
  void aFailedBuildClosesWhatItHadAlreadyBuilt() {
    java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
    ConfigSection opensSomething = new ConfigSection() {
      public String key() { return "first"; }
      public java.util.Set<String> entryKeys() { return java.util.Set.of(); }
      public void build(ConfigNode section, ConfigContext context, Registry.Builder registry) {
        registry.add("connection", (AutoCloseable) () -> closed.set(true));
      }
    };
    ConfigSection fails = new ConfigSection() {
      public String key() { return "second"; }
      public int order() { return 1; }
      public java.util.Set<String> entryKeys() { return java.util.Set.of(); }
      public void build(ConfigNode section, ConfigContext context, Registry.Builder registry) {
        throw section.error("cannot connect");
      }
    };
    assertThatThrownBy(() -> Configuration.parse("first: {}\nsecond: {}\n", "test.yaml")
        .buildRegistry(ConfigContext.defaults(), java.util.List.of(opensSomething, fails)))
        .hasMessageContaining("cannot connect");
    assertThat(closed).isTrue();
  }

  @Test
  void wrongTypesAndRangesNameTheKey() {
    assertError("retries:\n  p:\n    maxAttempts: three\n", 3, "retries.p.maxAttempts", "must be a whole number");
    assertError("retries:\n  p:\n    maxAttempts: 0\n", 3, "retries.p.maxAttempts", "between 1 and 100");
    assertError("timeouts:\n  t:\n    limit: soon\n", 3, "timeouts.t.limit", "must be a duration");
    assertError("rateLimiters:\n  r:\n    rate: fast\n", 3, "rateLimiters.r.rate", "must be a rate such as 800/s");
    assertError("rateLimiters:\n  r:\n    maxWait: 5s\n", 2, "rateLimiters.r:", "the key 'rate' is required");
    assertError("circuitBreakers:\n  c:\n    failureRateThreshold: 150%\n", 3, "failureRateThreshold",
        "ratio between 0 and 1");
    assertError("retries:\n  p:\n    backoff:\n      jitter: lots\n", 4, "jitter", "[none, full, equal, decorrelated]");
    assertError("circuitBreakers:\n  c:\n    countWindow: 10\n    timeWindow: 10s\n", 4, "timeWindow", "not both");
  }

  @Test
  void aBuildersOwnCheckIsReportedAtTheEntry() {
    assertError("retries:\n  p:\n    backoff:\n      initial: 10s\n      max: 1s\n", 3, "retries.p.backoff:",
        "Backoff.max must be at least Backoff.initial");
  }

  @Test
  void badYamlAndDuplicateKeysGiveTheLine() {
    assertError("retries:\n  p:\n    maxAttempts: [1,\n", 4, "not valid YAML");
    assertError("timeouts:\n  t:\n    limit: 1s\n    limit: 2s\n", 4, "timeouts.t.limit", "is given twice");
  }

  @Test
  void anUnknownPresetIsNamedWithTheClosestOne() {
    assertError("extends: extrenal-api\n", 1, "no preset named 'extrenal-api'", "did you mean 'external-api'?");
  }

  @Test
  void durationsAndRatesInTheirWrittenForms() {
    ConfigNode node = Configuration.parse("""
        a: 250ms
        b: 1.5s
        c: 15m
        d: 2h
        e: PT15M
        f: 0
        g: 10/100ms
        h: 50/min
        i: 0.5%
        j: 100/s burst 20
        """, "forms").root();
    assertThat(node.duration("a", null)).isEqualTo(Duration.ofMillis(250));
    assertThat(node.duration("b", null)).isEqualTo(Duration.ofMillis(1500));
    assertThat(node.duration("c", null)).isEqualTo(Duration.ofMinutes(15));
    assertThat(node.duration("d", null)).isEqualTo(Duration.ofHours(2));
    assertThat(node.duration("e", null)).isEqualTo(Duration.ofMinutes(15));
    assertThat(node.duration("f", null)).isZero();
    assertThat(node.rate("g", null)).isEqualTo(Rate.of(10, Duration.ofMillis(100)));
    assertThat(node.rate("h", null)).isEqualTo(Rate.of(50, Duration.ofMinutes(1)));
    assertThat(node.rate("j", null)).isEqualTo(new Rate(100, Duration.ofSeconds(1), 20));
    assertThat(node.ratio("i", null)).isEqualTo(0.005);
  }
}
