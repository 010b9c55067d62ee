package dev.ballast.examples.spring;

import dev.ballast.core.Registry;
import dev.ballast.core.annotation.Wrapper;
import dev.ballast.core.config.ConfigContext;
import dev.ballast.core.config.Configuration;
import dev.ballast.examples.Database;
import dev.ballast.examples.Payments;
import dev.ballast.examples.Storefront;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/**
 * What the starter costs at start-up: the example's context started with the starter, and started with the
 * starter excluded and the same Ballast wired by hand (the registry built from the same {@code ballast:} block
 * with {@code Configuration.parse}, the same three beans wrapped with {@code Wrapper.wrap}), alternately, in one
 * JVM on one Redis, after a few warm-up rounds ({@code -DwarmUps=5}, {@code -Drounds=15}). Prints each run
 * and the medians.
 */
public final class StartupCost {

  private static final String EXCLUDE = "--spring.autoconfigure.exclude=dev.ballast.spring.BallastAutoConfiguration";
  private static final String NO_WEB = "--spring.main.web-application-type=none";

  private StartupCost() {}

  /**
   * Runs the measurement.
   *
   * @param args optional: the number of measured rounds (default 15)
   */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : Integer.getInteger("rounds", 15);
    int warmUps = Integer.getInteger("warmUps", 5); // the JIT and class loading settle over the first starts
    List<Long> starter = new ArrayList<>();
    List<Long> byHand = new ArrayList<>();
    try (RedisServer redis = RedisServer.fromEnvironment()) {
      for (int round = 1 - warmUps; round <= rounds; round++) {
        boolean starterFirst = round % 2 == 0; // alternate, so neither always runs on the warmer JVM
        long a = startAndClose(redis.uri(), starterFirst);
        long b = startAndClose(redis.uri(), !starterFirst);
        if (round <= 0) {
          System.out.printf("warm-up: %d ms and %d ms%n", a, b);
          continue;
        }
        (starterFirst ? starter : byHand).add(a);
        (starterFirst ? byHand : starter).add(b);
        System.out.printf("round %d: starter %d ms, by hand %d ms%n", round, starterFirst ? a : b, starterFirst ? b : a);
      }
    }
    long withStarter = median(starter);
    long withoutStarter = median(byHand);
    System.out.printf("median context start over %d runs: with the starter %d ms, wired by hand %d ms,"
        + " difference %+d ms%n", rounds, withStarter, withoutStarter, withStarter - withoutStarter);
  }

  /** Starts the context, in milliseconds, then closes it. */
  private static long startAndClose(String redisUri, boolean withStarter) {
    long start = System.nanoTime();
    // Without the web server: both runs would start the same Tomcat, and its start would only add noise.
    ConfigurableApplicationContext context = withStarter ? StorefrontApplication.start(redisUri, NO_WEB)
        : StorefrontApplication.start(redisUri, NO_WEB, EXCLUDE, "--example.wiring=by-hand");
    long millis = (System.nanoTime() - start) / 1_000_000;
    context.close();
    return millis;
  }

  private static long median(List<Long> values) {
    List<Long> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    return sorted.get(sorted.size() / 2);
  }

  /** Ballast without the starter: what an application wrote before it, for the comparison only. */
  @org.springframework.context.annotation.Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(name = "example.wiring", havingValue = "by-hand")
  static class ByHand {

    @Bean(destroyMethod = "close")
    Registry ballastRegistry(RedisClient redis) throws IOException {
      return Configuration.parse(ballastBlock(), "application.yml")
          .buildRegistry(ConfigContext.builder().resource("redis", redis).build());
    }

    @Bean
    static BeanPostProcessor wrapByHand(ObjectProvider<Registry> registry) {
      return new BeanPostProcessor() {
        @Override
        public Object postProcessAfterInitialization(Object bean, String name) {
          if (bean instanceof Storefront s) {
            return Wrapper.wrap(Storefront.class, s, registry.getObject());
          }
          if (bean instanceof Database d) {
            return Wrapper.wrap(Database.class, d, registry.getObject());
          }
          if (bean instanceof Payments p) {
            return Wrapper.wrap(Payments.class, p, registry.getObject());
          }
          return bean;
        }
      };
    }

    /** The {@code ballast:} block of application.yml (its last), as a Ballast file: the block, dedented. */
    static String ballastBlock() throws IOException {
      try (InputStream in = StartupCost.class.getResourceAsStream("/application.yml")) {
        String yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        String block = yaml.substring(yaml.indexOf("\nballast:\n") + "\nballast:\n".length());
        return block.replaceAll("(?m)^  ", "");
      }
    }
  }
}
