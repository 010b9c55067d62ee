package dev.ballast.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Configuration records and builders: defaults, validation naming the field, set-twice detection. */
class QueueConfigTest {

  @Test
  void defaultsAreTheSeeds() {
    QueueConfig c = QueueConfig.builder().name("jobs").build();
    assertThat(c.maxAttempts()).isEqualTo(3);
    assertThat(c.backoff().initial()).isEqualTo(Duration.ofSeconds(1));
    assertThat(c.backoff().max()).isEqualTo(Duration.ofSeconds(16));
    assertThat(c.backoff().multiplier()).isEqualTo(2.0);
    assertThat(c.backoff().jitter()).isEqualTo(dev.ballast.core.Jitter.FULL);
    assertThat(c.priorityWeights()).containsExactly(1, 4, 16);
    assertThat(c.toBuilder().maxAttempts(5).build().maxAttempts()).isEqualTo(5);
    assertThat(c.aclPrefix()).isEmpty(); // today's keys: {ballast:queue:NAME}
    assertThat(c.hungHandlerGrace()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.shutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.toBuilder().aclPrefix("ballast:").build().aclPrefix()).isEqualTo("ballast:");
  }

  @Test
  void replicasDefaultToNoneAndAreValidatedNamingTheField() {
    QueueConfig c = QueueConfig.builder().name("jobs").build();
    assertThat(c.replicas()).isZero();
    assertThat(c.replicaTimeout()).isEqualTo(Duration.ofSeconds(1));
    QueueConfig durable = c.toBuilder().replicas(1, Duration.ofMillis(500)).build();
    assertThat(durable.replicas()).isEqualTo(1);
    assertThat(durable.replicaTimeout()).isEqualTo(Duration.ofMillis(500));
    assertThat(durable.toBuilder().build().replicas()).isEqualTo(1);
    assertThatThrownBy(() -> QueueConfig.builder().name("q").replicas(-1, Duration.ofSeconds(1)).build())
        .hasMessageContaining("QueueConfig.replicas");
    assertThatThrownBy(() -> QueueConfig.builder().name("q").replicas(17, Duration.ofSeconds(1)).build())
        .hasMessageContaining("QueueConfig.replicas");
    assertThatThrownBy(() -> QueueConfig.builder().name("q").replicas(1, Duration.ZERO).build())
        .hasMessageContaining("QueueConfig.replicaTimeout");
    assertThatThrownBy(() -> QueueConfig.builder().name("q").replicas(1, null).build())
        .hasMessageContaining("QueueConfig.replicaTimeout");
    assertThatThrownBy(() -> QueueConfig.builder().name("q").replicas(1, Duration.ofSeconds(1))
        .replicas(1, Duration.ofSeconds(1))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void badValuesAreRejectedNamingTheField() {
    assertThatThrownBy(() -> QueueConfig.builder().build()).hasMessageContaining("QueueConfig.name");
    assertThatThrownBy(() -> QueueConfig.builder().name("a b").build()).hasMessageContaining("QueueConfig.name");
    assertThatThrownBy(() -> QueueConfig.builder().name("q").keyPrefix("{x}").build())
        .hasMessageContaining("QueueConfig.keyPrefix");
    assertThatThrownBy(() -> QueueConfig.builder().name("q").aclPrefix("app:{x").build())
        .hasMessageContaining("QueueConfig.aclPrefix").hasMessageContaining("hash tag");
    assertThatThrownBy(() -> QueueConfig.builder().name("q").hungHandlerGrace(Duration.ZERO).build())
        .hasMessageContaining("QueueConfig.hungHandlerGrace");
    assertThatThrownBy(() -> QueueConfig.builder().name("q").shutdownTimeout(Duration.ofSeconds(-1)).build())
        .hasMessageContaining("QueueConfig.shutdownTimeout");
    assertThatThrownBy(() -> QueueConfig.builder().name("q").priorityWeights(List.of(1, 0)).build())
        .hasMessageContaining("QueueConfig.priorityWeights");
    assertThatThrownBy(() -> QueueConfig.builder().name("q").priorityWeights(List.of(1)).build())
        .hasMessageContaining("QueueConfig.defaultPriority");
    assertThatThrownBy(() -> QueueConfig.builder().name("q").maxAttempts(0).build())
        .hasMessageContaining("QueueConfig.maxAttempts");
    assertThatThrownBy(() -> QueueConfig.builder().name("q").visibilityTimeout(Duration.ZERO).build())
        .hasMessageContaining("QueueConfig.visibilityTimeout");
    assertThatThrownBy(() -> JobOptions.builder().maxAttempts(0).build()).hasMessageContaining("JobOptions.maxAttempts");
    assertThatThrownBy(() -> JobOptions.builder().deadline(Duration.ZERO).build())
        .hasMessageContaining("JobOptions.deadline");
    assertThatThrownBy(() -> JobType.of("bad type", JobCodec.utf8())).hasMessageContaining("JobType.name");
    assertThatThrownBy(() -> Workers.of(0)).hasMessageContaining("Workers.concurrency");
  }

  @Test
  void anOptionSetTwiceIsAMistake() {
    assertThatThrownBy(() -> QueueConfig.builder().name("a").name("b"))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("QueueConfig.name");
    assertThatThrownBy(() -> JobOptions.builder().priority(1).priority(2))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("JobOptions.priority");
  }

  @Test
  void utf8CodecRejectsMalformedBytes() {
    assertThat(JobCodec.utf8().decode(JobCodec.utf8().encode("héllo"))).isEqualTo("héllo");
    assertThatThrownBy(() -> JobCodec.utf8().decode(new byte[] {(byte) 0xFF}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("UTF-8");
  }
}
