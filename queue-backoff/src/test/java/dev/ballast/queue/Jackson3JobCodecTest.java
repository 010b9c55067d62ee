package dev.ballast.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ballast.queue.JsonJobCodecTest.Order;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/** JSON payloads through the optional Jackson 3 codec, as through the Jackson 2 one. */
class Jackson3JobCodecTest {

  static final Jackson3JobCodec<Order> CODEC = Jackson3JobCodec.of(JsonMapper.builder().build(), Order.class);

  @Test
  void roundTripsARecordThroughAQueue() {
    JsonJobCodecTest.assertRoundTripsThroughAQueue(CODEC);
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
