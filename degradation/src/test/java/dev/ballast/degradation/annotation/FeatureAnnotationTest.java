package dev.ballast.degradation.annotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ballast.core.CallRejectedException;
import dev.ballast.core.Registry;
import dev.ballast.core.annotation.Fallback;
import dev.ballast.core.annotation.spi.Invocation;
import dev.ballast.core.annotation.spi.MethodInterceptor;
import dev.ballast.core.annotation.Wrapper;
import dev.ballast.degradation.FeatureDisabledException;
import dev.ballast.degradation.Mode;
import dev.ballast.degradation.SwitchName;
import dev.ballast.degradation.Switchboard;
import dev.ballast.degradation.Reason;
import dev.ballast.testsupport.RedisExtension;
import dev.ballast.testsupport.RedisServer;
import io.lettuce.core.RedisClient;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Method;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class FeatureAnnotationTest {

  @RegisterExtension
  static final RedisExtension redis = RedisExtension.shared();

  public interface Storefront {
    @Fallback("noRecommendations")
    @Feature("recommendations")
    List<String> recommendations(String user);

    List<String> noRecommendations(String user, FeatureDisabledException why);

    @Feature("recommendations")
    @Fallback("noRecommendationsAsync") // written inside on purpose: the order is fixed
    CompletionStage<List<String>> recommendationsAsync(String user);

    CompletionStage<List<String>> noRecommendationsAsync(String user);

    @Feature("reviews")
    CompletionStage<List<String>> reviewsAsync(String sku);

    @Feature("reviews")
    List<String> reviews(String sku);
  }

  static final class Store implements Storefront {
    final AtomicInteger calls = new AtomicInteger();
    volatile FeatureDisabledException fallbackSaw;

    @Override
    public List<String> recommendations(String user) {
      calls.incrementAndGet();
      return List.of("for " + user);
    }

    @Override
    public List<String> noRecommendations(String user, FeatureDisabledException why) {
      fallbackSaw = why;
      return List.of();
    }

    @Override
    public CompletionStage<List<String>> recommendationsAsync(String user) {
      calls.incrementAndGet();
      return CompletableFuture.completedFuture(List.of("async for " + user));
    }

    @Override
    public CompletionStage<List<String>> noRecommendationsAsync(String user) {
      return CompletableFuture.completedFuture(List.of("async fallback"));
    }

    @Override
    public CompletionStage<List<String>> reviewsAsync(String sku) {
      calls.incrementAndGet();
      return CompletableFuture.completedFuture(List.of("great"));
    }

    @Override
    public List<String> reviews(String sku) {
      calls.incrementAndGet();
      return List.of("great");
    }
  }

  private final Clock clock = Clock.fixed(Instant.parse("2026-11-23T21:30:00Z"), ZoneOffset.UTC);
  private final Switchboard board = Switchboard.builder().name("shop").features("recommendations", "reviews")
      .clock(clock).manualSchedule().build();
  private final Store store = new Store();
  private final Storefront shop = Wrapper.wrap(Storefront.class, store,
      Registry.builder().add("switchboard", board).build());

  @AfterEach
  void close() {
    board.close();
  }

  @Test
  void whileTheFeatureIsOnTheTargetIsCalled() throws Exception {
    assertThat(shop.recommendations("ann")).containsExactly("for ann");
    assertThat(shop.recommendationsAsync("ann").toCompletableFuture().get()).containsExactly("async for ann");
    assertThat(store.calls).hasValue(2);
    assertThat(store.fallbackSaw).isNull();
  }

  @Test
  void switchedOffByAnOperatorTheFallbackAnswersAndTheTargetIsNotCalled() {
    board.degrade(SwitchName.feature("recommendations"), new Reason("alice", "origin at 95% CPU"));

    assertThat(shop.recommendations("ann")).isEmpty();
    assertThat(store.calls).hasValue(0);
    assertThat(store.fallbackSaw).isInstanceOf(CallRejectedException.class);
    assertThat(store.fallbackSaw.featureName()).isEqualTo("recommendations");
    assertThat(store.fallbackSaw.featureSwitch().who()).isEqualTo("alice");
    assertThat(store.fallbackSaw.policyName()).isEqualTo("shop");
    assertThat(store.fallbackSaw).hasMessage("feature 'recommendations' is off in switchboard 'shop' since "
        + "2026-11-23T21:30:00Z, set by alice (manual): origin at 95% CPU");

    board.release(SwitchName.feature("recommendations"), "alice");
    assertThat(shop.recommendations("ann")).containsExactly("for ann");
    assertThat(store.calls).hasValue(1);
  }

  @Test
  void withoutAFallbackTheCallerGetsFeatureDisabledException() {
    board.enterMode(Mode.SURVIVAL, new Reason("bob", "black friday")); // every feature off

    assertThatThrownBy(() -> shop.reviews("sku-1")).isInstanceOf(FeatureDisabledException.class)
        .hasMessageContaining("feature 'reviews' is off").hasMessageContaining("set by bob (mode): black friday");
    assertThat(store.calls).hasValue(0);
  }

  @Test
  void anAsyncMethodGetsAFailedStageNotAThrowAndItsFallbackRuns() throws Exception {
    board.degrade(SwitchName.ALL_FEATURES, new Reason("alice", "shedding"));

    CompletionStage<List<String>> reviews = shop.reviewsAsync("sku-1"); // does not throw
    assertThatThrownBy(() -> reviews.toCompletableFuture().join()).isInstanceOf(CompletionException.class)
        .hasCauseInstanceOf(FeatureDisabledException.class);
    assertThat(shop.recommendationsAsync("ann").toCompletableFuture().get()).containsExactly("async fallback");
    assertThat(store.calls).hasValue(0);
  }

  @Test
  void switchedOffOnAnotherInstanceThisInstancesProxyFallsBackOnceTheChangeArrives(RedisServer server) {
    RedisClient client = server.newClient();
    try (Switchboard here = fleetBoard(client, "here"); Switchboard there = fleetBoard(client, "there")) {
      Storefront wrapped = Wrapper.wrap(Storefront.class, store, Registry.builder().add("switchboard", here).build());
      assertThat(wrapped.recommendations("ann")).containsExactly("for ann");

      there.degrade(SwitchName.feature("recommendations"), new Reason("carol", "recommender down"));

      await().atMost(Duration.ofSeconds(5)).until(() -> wrapped.recommendations("ann").isEmpty());
      assertThat(store.fallbackSaw.featureSwitch().who()).isEqualTo("carol");
      int callsWhenOff = store.calls.get();
      assertThat(wrapped.recommendations("ann")).isEmpty();
      assertThat(store.calls).hasValue(callsWhenOff);
    } finally {
      client.shutdown();
    }
  }

  private static Switchboard fleetBoard(RedisClient client, String instance) {
    return Switchboard.builder().name("fleet-feature").features("recommendations", "reviews").redis(client)
        .instanceId(instance).manualSchedule().build();
  }

  @Test
  void anUndeclaredFeatureFailsAtWrapSuggestingTheClosest() {
    Switchboard narrow = Switchboard.builder().name("narrow").features("recommendation", "reviews").manualSchedule()
        .build();
    try {
      assertThatThrownBy(() -> Wrapper.wrap(Storefront.class, store,
          Registry.builder().add("switchboard", narrow).build()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("@Feature on Storefront.recommendations")
          .hasMessageContaining("unknown feature 'recommendations'")
          .hasMessageContaining("Did you mean 'recommendation'?");
    } finally {
      narrow.close();
    }
  }

  @Test
  void aSwitchboardWithoutDeclaredFeaturesAcceptsAnyName() {
    Switchboard open = Switchboard.builder().name("open").manualSchedule().build();
    try {
      Storefront wrapped = Wrapper.wrap(Storefront.class, store, Registry.builder().add("switchboard", open).build());
      open.degrade(SwitchName.feature("reviews"), new Reason("alice", "slow"));
      assertThatThrownBy(() -> wrapped.reviews("sku")).isInstanceOf(FeatureDisabledException.class);
      assertThat(wrapped.recommendations("ann")).containsExactly("for ann");
    } finally {
      open.close();
    }
  }

  @Test
  void noSwitchboardInTheRegistryFailsAtWrap() {
    assertThatThrownBy(() -> Wrapper.wrap(Storefront.class, store, Registry.builder().build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("@Feature on Storefront.")
        .hasMessageContaining("No Switchboard named 'switchboard'");
  }

  public interface Named {
    @Feature(value = "reviews", switchboard = "eu")
    List<String> reviews(String sku);
  }

  @Test
  void theSwitchboardIsFoundByTheNameTheAnnotationGives() {
    Named named = Wrapper.wrap(Named.class, sku -> List.of("ok"), Registry.builder().add("eu", board).build());
    board.degrade(SwitchName.feature("reviews"), new Reason("alice", "eu only"));
    assertThatThrownBy(() -> named.reviews("sku")).isInstanceOf(FeatureDisabledException.class);
  }

  @Test
  void theCheckAllocatesNothingWhileTheFeatureIsOn() throws Exception {
    Method method = Storefront.class.getMethod("reviews", String.class);
    MethodInterceptor guard = new FeatureHandler().interceptorFor(method,
        Registry.builder().add("switchboard", board).build());
    Invocation invocation = new FixedInvocation(method);
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.currentThread().getId();
    int answered = 0;
    for (int round = 0; round < 2; round++) { // the first round warms up, the second is measured
      long before = threads.getThreadAllocatedBytes(id);
      for (int i = 0; i < 200_000; i++) {
        answered += guard.invoke(invocation) == FixedInvocation.RESULT ? 1 : 0;
      }
      long allocated = threads.getThreadAllocatedBytes(id) - before;
      if (round == 1) {
        assertThat(allocated).as("bytes allocated by 200,000 checks").isLessThan(1_024);
      }
    }
    assertThat(answered).isEqualTo(400_000);
  }

  /** An invocation that returns one preallocated result, so that only the guard could allocate. */
  record FixedInvocation(Method method) implements Invocation {
    static final Object RESULT = List.of("fixed");
    private static final Object[] NONE = {};

    @Override
    public Object[] arguments() {
      return NONE;
    }

    @Override
    public Object target() {
      return RESULT;
    }

    @Override
    public boolean isAsync() {
      return false;
    }

    @Override
    public Object proceed() {
      return RESULT;
    }
  }
}
