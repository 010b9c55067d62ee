package dev.ballast.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegistryTest {

  @Test
  void closeClosesEveryCloseableComponentNewestFirstEvenWhenOneFails() {
    List<String> closed = new ArrayList<>();
    AutoCloseable first = () -> closed.add("first");
    AutoCloseable failing = () -> {
      closed.add("failing");
      throw new IllegalStateException("boom");
    };
    AutoCloseable last = () -> closed.add("last");
    Registry registry = Registry.builder()
        .add("a", first)
        .add("b", Retry.builder().build())
        .add("c", failing)
        .add("d", last)
        .build();

    assertThatThrownBy(registry::close).isInstanceOf(IllegalStateException.class).hasMessage("boom");
    assertThat(closed).containsExactly("last", "failing", "first");
  }

  @Test
  void theBuilderFindsWhatWasAddedSoFarAndNamesWhatItKnows() {
    Registry.Builder builder = Registry.builder().add("payments", Retry.builder().build());

    assertThat(builder.get("payments", Retry.class)).isNotNull();
    assertThatThrownBy(() -> builder.get("search", Retry.class))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContainingAll("No Retry named 'search'", "[payments]");
  }
}
