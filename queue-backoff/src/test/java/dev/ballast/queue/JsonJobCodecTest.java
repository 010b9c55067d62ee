package dev.ballast.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** JSON payloads through the optional Jackson codec. */
class JsonJobCodecTest {

  public record Order(String id, int cents) {}

  static final JsonJobCodec<Order> CODEC = JsonJobCodec.of(new ObjectMapper(), Order.class);

  @Test
  void roundTripsARecordThroughAQueue() {
    assertRoundTripsThroughAQueue(CODEC);
  }

  /** An order goes through a queue with {@code codec} and comes out equal, written as plain JSON. */
  static void assertRoundTripsThroughAQueue(JobCodec<Order> codec) {
    JobType<Order> orders = JobType.of("order", codec);
    List<Order> seen = new CopyOnWriteArrayList<>();
    try (JobQueue q = JobQueue.inMemory(QueueConfig.builder().name("json").pollInterval(Duration.ofMillis(5)).build())) {
      q.register(orders, Workers.of(1), job -> seen.add(job.payload()));
      q.enqueue(orders, new Order("o-1", 1250));
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 1);
    }
    assertThat(seen).containsExactly(new Order("o-1", 1250));
    assertThat(new String(codec.encode(new Order("x", 1)), StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"x\",\"cents\":1}");
  }

  @Test
  void bytesThatAreNotAnOrderAreADecodeFailure() {
    assertThatThrownBy(() -> CODEC.decode("{\"id\": ".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not JSON of Order");
  }
}
