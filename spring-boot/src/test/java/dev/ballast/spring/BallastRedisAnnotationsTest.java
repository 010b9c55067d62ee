package dev.ballast.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.core.RateLimitExceededException;
import dev.ballast.core.Registry;
import dev.ballast.core.annotation.Fallback;
import dev.ballast.core.annotation.RateLimited;
import dev.ballast.degradation.FeatureDisabledException;
import dev.ballast.degradation.ReadOnlyModeException;
import dev.ballast.degradation.Reason;
import dev.ballast.degradation.SwitchName;
import dev.ballast.degradation.Switchboard;
import dev.ballast.degradation.annotation.Feature;
import dev.ballast.degradation.annotation.Write;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.assertj.AssertableApplicationContext;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/**
 * The annotations whose components live in Redis when the application has it: {@code @Feature} and {@code @Write}
 * (the switchboard) and {@code @RateLimited} on a fleet-wide limiter, each on a class bean and an interface bean,
 * two application contexts (two instances) sharing one real Redis.
 */
class BallastRedisAnnotationsTest {

  @RegisterExtension
  static final RedisExtension REDIS = RedisExtension.shared();

  /** A class bean. */
  public static class Storefront {
    @Fallback("noRecommendations")
    @Feature("recommendations")
    public List<String> recommendations(String user) {
      return List.of("book for " + user);
    }

    public List<String> noRecommendations(String user) {
      return List.of();
    }

    @Feature("reviews")
    public String reviews(String sku) {
      return "5 stars for " + sku;
    }

    @Write
    public String placeOrder(String order) {
      return "placed " + order;
    }

    @RateLimited("partner")
    public String quote(String sku) {
      return "quote " + sku;
    }
  }

  /** The same annotations on an interface. */
  public interface Shop {
    @Fallback("noRecommendations")
    @Feature("recommendations")
    List<String> recommendations(String user);

    List<String> noRecommendations(String user);

    @Feature("reviews")
    String reviews(String sku);

    @Write
    String placeOrder(String order);

    @RateLimited("partner")
    String quote(String sku);
  }

  public static class ShopImpl implements Shop {
    @Override
    public List<String> recommendations(String user) {
      return List.of("book for " + user);
    }

    @Override
    public List<String> noRecommendations(String user) {
      return List.of();
    }

    @Override
    public String reviews(String sku) {
      return "5 stars for " + sku;
    }

    @Override
    public String placeOrder(String order) {
      return "placed " + order;
    }

    @Override
    public String quote(String sku) {
      return "quote " + sku;
    }
  }

  /** What the test calls, whichever kind of bean it is. */
  private record Calls(java.util.function.Function<String, List<String>> recommendations,
      java.util.function.Function<String, String> reviews, java.util.function.Function<String, String> placeOrder,
      java.util.function.Function<String, String> quote) {
    static Calls of(Storefront s) {
      return new Calls(s::recommendations, s::reviews, s::placeOrder, s::quote);
    }

    static Calls of(Shop s) {
      return new Calls(s::recommendations, s::reviews, s::placeOrder, s::quote);
    }
  }

  @Test
  void onAClassBean(RedisServer redis) {
    twoInstances(redis, "class", runner -> runner.withBean(Storefront.class),
        context -> Calls.of(context.getBean(Storefront.class)));
  }

  @Test
  void onAnInterfaceBean(RedisServer redis) {
    twoInstances(redis, "iface", runner -> runner.withBean("shop", Shop.class, ShopImpl::new),
        context -> Calls.of(context.getBean(Shop.class)));
  }

  private static void twoInstances(RedisServer redis, String prefix,
      java.util.function.UnaryOperator<ApplicationContextRunner> beans,
      java.util.function.Function<AssertableApplicationContext, Calls> calls) {
    RedisClient client = RedisClient.create(redis.uri());
    String keys = "spring-annotations-" + prefix + "-" + System.nanoTime() + ":";
    try {
      ApplicationContextRunner runner = beans.apply(new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(BallastAutoConfiguration.class))
          .withBean(RedisClient.class, () -> client)
          .withPropertyValues("ballast.switchboard.keyPrefix=" + keys, "ballast.switchboard.evaluateEvery=100ms",
              "ballast.switchboard.features[0]=recommendations", "ballast.switchboard.features[1]=reviews",
              "ballast.rateLimiters.partner.rate=1/min burst 2", "ballast.rateLimiters.partner.scope=fleet",
              "ballast.rateLimiters.partner.keyPrefix=" + keys.replace(":", "")));
      runner.run(a -> runner.run(b -> {
        assertThat(a).hasNotFailed();
        assertThat(b).hasNotFailed();
        Calls first = calls.apply(a);
        Calls second = calls.apply(b);
        Switchboard board = a.getBean(Registry.class).get("switchboard", Switchboard.class);
        Switchboard otherBoard = b.getBean(Registry.class).get("switchboard", Switchboard.class);

        // @Feature: off on one instance reaches the other through Redis; the fallback answers there.
        assertThat(second.recommendations().apply("ann")).containsExactly("book for ann");
        board.disable("recommendations", new Reason("alice", "load"));
        board.disable("reviews", new Reason("alice", "load"));
        Awaitility.await().atMost(Duration.ofSeconds(20))
            .until(() -> !otherBoard.isFeatureEnabled("recommendations") && !otherBoard.isFeatureEnabled("reviews"));
        assertThat(second.recommendations().apply("ann")).isEmpty();
        assertThatThrownBy(() -> second.reviews().apply("sku-1")).isInstanceOf(FeatureDisabledException.class);
        board.enable("reviews", new Reason("alice", "over"));
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> otherBoard.isFeatureEnabled("reviews"));
        assertThat(second.reviews().apply("sku-1")).isEqualTo("5 stars for sku-1");

        // @Write: read-only on one instance refuses writes on the other.
        assertThat(second.placeOrder().apply("o-1")).isEqualTo("placed o-1");
        board.degrade(SwitchName.READ_ONLY, new Reason("bob", "failover"));
        Awaitility.await().atMost(Duration.ofSeconds(20)).until(otherBoard::isReadOnly);
        assertThatThrownBy(() -> second.placeOrder().apply("o-2")).isInstanceOf(ReadOnlyModeException.class);
        assertThatThrownBy(() -> first.placeOrder().apply("o-3")).isInstanceOf(ReadOnlyModeException.class);

        // @RateLimited on a fleet limiter: one bucket of 2 for both instances.
        assertThat(first.quote().apply("s")).isEqualTo("quote s");
        assertThat(second.quote().apply("s")).isEqualTo("quote s");
        assertThatThrownBy(() -> first.quote().apply("s")).isInstanceOf(RateLimitExceededException.class);
        assertThatThrownBy(() -> second.quote().apply("s")).isInstanceOf(RateLimitExceededException.class);
      }));
    } finally {
      client.shutdown();
    }
  }
}
