package dev.ballast.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.cache.annotation.Cached;
import dev.ballast.core.Backoff;
import dev.ballast.core.RateLimitExceededException;
import dev.ballast.core.RateLimiter;
import dev.ballast.core.Registry;
import dev.ballast.core.Retry;
import dev.ballast.core.annotation.RateLimited;
import dev.ballast.core.annotation.Wrapper;
import dev.ballast.testsupport.ManualTicker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The cache sits outside retry, breaker and limiter: a hit spends nothing of theirs. */
class CacheAnnotationOrderTest {

  public interface Quotes {
    // Written innermost first on purpose: the order of application is InterceptorOrder's.
    @RateLimited("quotes")
    @dev.ballast.core.annotation.Retry("quotes")
    @Cached("quotes")
    String quote(String symbol);
  }

  private final ManualTicker now = new ManualTicker();
  private final AtomicInteger calls = new AtomicInteger();
  private final AtomicInteger attempts = new AtomicInteger();
  private final TieredCache<String, String> cache = TieredCache.builder("quotes", Codec.utf8(), Codec.utf8())
      .ticker(now::read).build();
  private final RateLimiter limiter = RateLimiter.builder().name("quotes").capacity(1)
      .refill(1, Duration.ofHours(1)).ticker(now::read).build();
  private final Retry retry = Retry.builder().name("quotes").maxAttempts(3).backoff(Backoff.fixed(Duration.ofMillis(1)))
      .retryOn(e -> false) // a refused permit is final here: the test counts attempts, not retries
      .retryOnResult(result -> {
        attempts.incrementAndGet(); // called once per attempt that returned
        return false;
      })
      .ticker(now::read).sleeper(now::sleep).build();
  private final Quotes quotes = Wrapper.wrap(Quotes.class, symbol -> {
    calls.incrementAndGet();
    return symbol + " at 42";
  }, Registry.builder().add("quotes", cache).add("quotes", limiter).add("quotes", retry).build());

  @AfterEach
  void tearDown() {
    cache.close();
  }

  @Test
  void aHitSpendsNoPermitAndNoRetryAttempt() {
    assertThat(quotes.quote("ACME")).isEqualTo("ACME at 42");
    assertThat(quotes.quote("ACME")).isEqualTo("ACME at 42");
    assertThat(quotes.quote("ACME")).isEqualTo("ACME at 42");
    assertThat(calls).hasValue(1);
    assertThat(attempts).as("only the miss ran an attempt").hasValue(1);
    assertThat(limiter.availablePermits()).isZero();
    // The one permit went to the miss: another key is a miss, and is refused.
    assertThatThrownBy(() -> quotes.quote("INITECH")).isInstanceOf(RateLimitExceededException.class);
    assertThat(calls).hasValue(1);
  }
}
