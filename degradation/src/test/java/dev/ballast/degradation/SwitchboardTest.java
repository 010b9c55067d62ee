package dev.ballast.degradation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.core.CallRejectedException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SwitchboardTest {

  private final Clock clock = Clock.fixed(Instant.parse("2026-11-23T21:30:00Z"), ZoneOffset.UTC);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Switchboard board = Switchboard.builder()
      .name("shop")
      .features("recommendations", "reviews", "wishlist")
      .clock(clock)
      .meterRegistry(registry)
      .manualSchedule()
      .build();

  @AfterEach
  void close() {
    board.close();
  }

  @Test
  void everythingIsNormalAtFirst() {
    assertThat(board.isServingCached()).isFalse();
    assertThat(board.isReadOnly()).isFalse();
    assertThat(board.isFeatureEnabled("reviews")).isTrue();
    assertThat(board.readOnly().origin()).isEqualTo(Switch.Origin.DEFAULT);
    assertThat(board.spareOriginSignal().getAsBoolean()).isFalse();
    board.guardWrite("place-order"); // does not throw
    assertThat(board.switches()).extracting(s -> s.name().id())
        .containsExactly("serve-cached", "read-only", "feature:recommendations", "feature:reviews", "feature:wishlist",
            "feature:*");
  }

  @Test
  void manualSettingRecordsWhoWhyAndSinceUntilReleased() {
    board.degrade(SwitchName.SERVE_CACHED, new Reason("alice", "origin at 95% CPU"));

    Switch s = board.serveCached();
    assertThat(s.on()).isTrue();
    assertThat(s.degraded()).isTrue();
    assertThat(s.origin()).isEqualTo(Switch.Origin.MANUAL);
    assertThat(s.who()).isEqualTo("alice");
    assertThat(s.why()).isEqualTo("origin at 95% CPU");
    assertThat(s.since()).isEqualTo(clock.instant());
    assertThat(board.spareOriginSignal().getAsBoolean()).isTrue();

    board.release(SwitchName.SERVE_CACHED, "alice");
    assertThat(board.isServingCached()).isFalse();
    assertThat(board.serveCached().origin()).isEqualTo(Switch.Origin.DEFAULT);
  }

  @Test
  void readOnlyGuardThrowsARejectionThatSaysSinceWhenByWhomAndWhy() {
    board.degrade(SwitchName.READ_ONLY, new Reason("bob", "database failover"));

    assertThatThrownBy(() -> board.guardWrite("place-order"))
        .isInstanceOf(ReadOnlyModeException.class)
        .isInstanceOf(CallRejectedException.class)
        .hasMessage("write 'place-order' refused: read-only mode is on in switchboard 'shop' since "
            + "2026-11-23T21:30:00Z, set by bob (manual): database failover")
        .satisfies(e -> {
          ReadOnlyModeException r = (ReadOnlyModeException) e;
          assertThat(r.operation()).isEqualTo("place-order");
          assertThat(r.readOnlySwitch().who()).isEqualTo("bob");
          assertThat(r.policyName()).isEqualTo("shop");
        });
  }

  @Test
  void survivalModeServesCachedRefusesWritesAndTurnsEveryFeatureOff() {
    board.enterMode(Mode.SURVIVAL, new Reason("carol", "black friday"));

    assertThat(board.isServingCached()).isTrue();
    assertThat(board.isReadOnly()).isTrue();
    assertThat(board.isFeatureEnabled("recommendations")).isFalse();
    assertThat(board.isFeatureEnabled("wishlist")).isFalse();
    assertThat(board.feature("reviews").origin()).isEqualTo(Switch.Origin.MODE);
    assertThat(board.activeModes()).containsExactly("survival");

    board.leaveMode(Mode.SURVIVAL, "carol");
    assertThat(board.isServingCached()).isFalse();
    assertThat(board.isReadOnly()).isFalse();
    assertThat(board.isFeatureEnabled("recommendations")).isTrue();
    assertThat(board.activeModes()).isEmpty();
  }

  @Test
  void aManualSettingOfOneFeatureBeatsAModeThatTurnsAllOff() {
    board.enterMode(Mode.SURVIVAL, new Reason("carol", "black friday"));
    board.restore(SwitchName.feature("reviews"), new Reason("dave", "reviews are cheap, keep them"));

    assertThat(board.isFeatureEnabled("reviews")).isTrue();
    assertThat(board.isFeatureEnabled("wishlist")).isFalse();

    board.release(SwitchName.feature("reviews"), "dave");
    assertThat(board.isFeatureEnabled("reviews")).isFalse();
  }

  @Test
  void aManualSettingOfAllFeaturesTurnsOffEveryDeclaredOne() {
    board.degrade(SwitchName.ALL_FEATURES, new Reason("erin", "shed load"));
    assertThat(board.isFeatureEnabled("recommendations")).isFalse();
    assertThat(board.feature("wishlist").who()).isEqualTo("erin");
  }

  @Test
  void registeredModesCanBeEnteredAndUnknownOnesAreNamed() {
    Switchboard withMode = Switchboard.builder().name("b").manualSchedule()
        .mode(Mode.degrading("checkout-only", SwitchName.feature("reviews"), SwitchName.SERVE_CACHED))
        .build();
    withMode.enterMode("checkout-only", new Reason("ops", "test"));
    assertThat(withMode.isFeatureEnabled("reviews")).isFalse();
    assertThat(withMode.isFeatureEnabled("other")).isTrue();
    assertThat(withMode.isServingCached()).isTrue();
    assertThat(withMode.isReadOnly()).isFalse();
    assertThatThrownBy(() -> withMode.enterMode("survvial", new Reason("ops", "typo")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown mode 'survvial'")
        .hasMessageContaining("[checkout-only, survival]");
    withMode.close();
  }

  @Test
  void anUndeclaredFeatureIsAnErrorThatSuggestsTheClosestDeclaredOne() {
    assertThatThrownBy(() -> board.isFeatureEnabled("recomendations"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("unknown feature 'recomendations' in switchboard 'shop'. Did you mean 'recommendations'? "
            + "Declared features: [recommendations, reviews, wishlist]");
    assertThatThrownBy(() -> board.feature("chat")).hasMessageStartingWith("unknown feature 'chat'")
        .hasMessageNotContaining("Did you mean");
    assertThatThrownBy(() -> board.degrade(SwitchName.feature("chat"), new Reason("x", "y")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void withoutDeclaredFeaturesAnyNameIsAccepted() {
    Switchboard open = Switchboard.builder().name("open").manualSchedule().build();
    assertThat(open.isFeatureEnabled("anything")).isTrue();
    open.degrade(SwitchName.feature("anything"), new Reason("ops", "why not"));
    assertThat(open.isFeatureEnabled("anything")).isFalse();
    assertThat(open.feature("anything").who()).isEqualTo("ops");
    assertThat(open.feature("else").on()).isTrue();
    open.close();
  }

  @Test
  void badInputGetsErrorsNamingTheField() {
    assertThatThrownBy(() -> board.degrade(SwitchName.READ_ONLY, new Reason(" ", "why")))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("Reason.who must not be blank");
    assertThatThrownBy(() -> board.degrade(null, new Reason("a", "why")))
        .isInstanceOf(NullPointerException.class).hasMessage("switch name must not be null");
    assertThatThrownBy(() -> SwitchName.feature("has space"))
        .hasMessageContaining("feature name must be 1 to 100 letters");
    assertThatThrownBy(() -> Switchboard.builder().build())
        .isInstanceOf(NullPointerException.class).hasMessage("Switchboard.name must not be null");
    assertThatThrownBy(() -> Switchboard.builder().name("a").name("b"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("Switchboard.name was already set");
    assertThatThrownBy(() -> Switchboard.builder().name("a").features("x")
        .mode(Mode.degrading("m", SwitchName.feature("y"))).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown feature 'y'");
    assertThatThrownBy(() -> Switchboard.builder().mode(Mode.degrading("m", SwitchName.READ_ONLY))
        .mode(Mode.degrading("m", SwitchName.SERVE_CACHED)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("'m' was already registered");
    assertThatThrownBy(() -> Switchboard.builder().fleetTriggerLease(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Switchboard.fleetTriggerLease");
    assertThatThrownBy(() -> Switchboard.builder().name("a").redisTimeout(Duration.ofSeconds(1))
        .fleetTriggerLease(Duration.ofSeconds(2)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Switchboard.fleetTriggerLease (PT2S) must be at least 6 x redisTimeout (PT1S)");
    assertThatThrownBy(() -> Switchboard.builder().name("a").redisTimeout(Duration.ofSeconds(1))
        .fleetTriggerLease(Duration.ofMillis(5_999)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("(PT5.999S) must be at least 6 x redisTimeout (PT1S) = PT6S");
    try (Switchboard atTheMinimum = Switchboard.builder().name("a").redisTimeout(Duration.ofSeconds(1))
        .fleetTriggerLease(Duration.ofSeconds(6)).build()) {
      assertThat(atTheMinimum.name()).isEqualTo("a");
    }
  }

  @Test
  void listenersHearEachChangeInOrder() {
    List<SwitchChange> changes = new ArrayList<>();
    board.addListener(changes::add);
    board.degrade(SwitchName.READ_ONLY, new Reason("a", "one"));
    board.degrade(SwitchName.READ_ONLY, new Reason("a", "one")); // no change: not heard
    board.release(SwitchName.READ_ONLY, "a");

    assertThat(changes).hasSize(2);
    assertThat(changes.get(0).before().on()).isFalse();
    assertThat(changes.get(0).after().on()).isTrue();
    assertThat(changes.get(1).after().origin()).isEqualTo(Switch.Origin.DEFAULT);
  }

  @Test
  void aFailingListenerDoesNotStopTheChange() {
    board.addListener(c -> {
      throw new IllegalStateException("boom");
    });
    board.degrade(SwitchName.READ_ONLY, new Reason("a", "b"));
    assertThat(board.isReadOnly()).isTrue();
  }

  @Test
  void eachSwitchIsAGaugeAndChangesAreCounted() {
    board.degrade(SwitchName.SERVE_CACHED, new Reason("a", "b"));
    board.degrade(SwitchName.feature("reviews"), new Reason("a", "b"));

    assertThat(gauge("serve-cached")).isEqualTo(1.0);
    assertThat(gauge("read-only")).isEqualTo(0.0);
    assertThat(gauge("feature:reviews")).isEqualTo(1.0);
    assertThat(gauge("feature:wishlist")).isEqualTo(0.0);
    assertThat(registry.get("ballast.degradation.changes").tags("switchboard", "shop", "switch", "serve-cached")
        .counter().count()).isEqualTo(1.0);
  }

  @Test
  void closeRemovesTheMeters() {
    board.close();
    assertThat(registry.find("ballast.degradation.switch").gauges()).isEmpty();
    assertThat(registry.find("ballast.degradation.changes").counters()).isEmpty();
  }

  private double gauge(String id) {
    return registry.get("ballast.degradation.switch").tags("switchboard", "shop", "switch", id).gauge().value();
  }

  @Test
  void aKeyPrefixWithABraceIsRefusedBecauseTheBoardsKeysWouldSpanClusterSlots() {
    // "x{}" would give every key an empty hash tag, so the scripts' keys would land in different slots.
    assertThatThrownBy(() -> Switchboard.builder().keyPrefix("x{}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Switchboard.keyPrefix").hasMessageContaining("'{'");
    assertThat(Switchboard.builder().keyPrefix("app:degradation:")).isNotNull();
  }
}
