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
import tools.jackson.databind.json.JsonMapper;

/** JSON payloads through the optional Jackson 3 codec. */
class Jackson3JobCodecTest {

  public record Order(String id, int cents) {}

  static final Jackson3JobCodec<Order> CODEC = Jackson3JobCodec.of(JsonMapper.builder().build(), Order.class);

  @Test
  void roundTripsARecordThroughAQueue() {
    JobType<Order> orders = JobType.of("order", CODEC);
    List<Order> seen = new CopyOnWriteArrayList<>();
    try (JobQueue q = JobQueue.inMemory(QueueConfig.builder().name("json3").pollInterval(Duration.ofMillis(5)).build())) {
      q.register(orders, Workers.of(1), job -> seen.add(job.payload()));
      q.enqueue(orders, new Order("o-1", 1250));
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 1);
    }
    assertThat(seen).containsExactly(new Order("o-1", 1250));
    assertThat(new String(CODEC.encode(new Order("x", 1)), StandardCharsets.UTF_8)).isEqualTo("{\"id\":\"x\",\"cents\":1}");
  }

  @Test
  void readsWhatTheJackson2CodecWroteSoWorkersCanMoveOneAtATime() {
    JsonJobCodec<Order> jackson2 = JsonJobCodec.of(new ObjectMapper(), Order.class);
    assertThat(CODEC.decode(jackson2.encode(new Order("o-2", 7)))).isEqualTo(new Order("o-2", 7));
    assertThat(jackson2.decode(CODEC.encode(new Order("o-3", 8)))).isEqualTo(new Order("o-3", 8));
  }

  @Test
  void bytesThatAreNotAnOrderAreADecodeFailure() {
    assertThatThrownBy(() -> CODEC.decode("{\"id\": ".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not JSON of Order");
  }
}
