package dev.ballast.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class HeaderTest {

  private static byte[] entry(String header, byte[] payload) {
    byte[] h = header.getBytes(StandardCharsets.US_ASCII);
    byte[] all = new byte[h.length + payload.length];
    System.arraycopy(h, 0, all, 0, h.length);
    System.arraycopy(payload, 0, all, h.length, payload.length);
    return all;
  }

  @Property(tries = 500)
  void wellFormedEntriesParseBackToTheirFields(@ForAll @LongRange(min = 0, max = 4_000_000_000_000L) long write,
      @ForAll @LongRange(min = 0, max = 100_000_000) long soft, @ForAll @LongRange(min = 0, max = 100_000_000) long stale,
      @ForAll @IntRange(min = 0, max = 100_000) int load, @ForAll byte[] payload) {
    byte[] bytes = entry("BC1:" + write + ":" + (write + soft) + ":" + (write + soft + stale) + ":" + load + ":V\n",
        payload);
    Header.Parsed parsed = Header.parse(bytes);
    assertThat(parsed).isNotNull();
    assertThat(parsed.writeMs()).isEqualTo(write);
    assertThat(parsed.softMs()).isEqualTo(write + soft);
    assertThat(parsed.hardMs()).isEqualTo(write + soft + stale);
    assertThat(parsed.loadMs()).isEqualTo(load);
    assertThat(parsed.payload()).isEqualTo(payload);
  }

  @Property(tries = 2000)
  void arbitraryBytesNeverThrow(@ForAll byte[] bytes) {
    Header.parse(bytes); // null or an entry, never an exception
  }

  @Property(tries = 1000)
  void truncatedOrFlippedEntriesNeverThrow(@ForAll @IntRange(min = 0, max = 40) int cut,
      @ForAll @IntRange(min = 0, max = 39) int flip, @ForAll byte noise) {
    byte[] good = entry("BC1:1700000000000:1700000060000:1700000090000:12:V\n", "payload".getBytes(StandardCharsets.UTF_8));
    byte[] bytes = java.util.Arrays.copyOf(good, Math.max(0, good.length - cut));
    if (flip < bytes.length) {
      bytes[flip] = noise;
    }
    Header.parse(bytes);
  }

  @Test
  void absenceHasNoPayloadAndOtherFormatsAreRejected() {
    assertThat(Header.parse(entry("BC1:1:2:3:0:N\n", new byte[0])).payload()).isNull();
    assertThat(Header.parse(entry("BC1:1:2:3:0:N\nextra", new byte[0]))).isNull();
    assertThat(Header.parse(entry("BC2:1:2:3:0:V\n", new byte[] {1}))).isNull();
    assertThat(Header.parse(entry("BC1:5:2:3:0:V\n", new byte[] {1}))).as("soft before write").isNull();
    assertThat(Header.parse(entry("BC1:1:2:3:0:X\n", new byte[] {1}))).isNull();
    assertThat(Header.parse(null)).isNull();
  }
}
