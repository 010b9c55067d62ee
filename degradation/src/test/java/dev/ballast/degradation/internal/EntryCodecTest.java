package dev.ballast.degradation.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ballast.degradation.SwitchName;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class EntryCodecTest {

  @Property(tries = 500)
  void anyWhoAndWhyRoundTrip(@ForAll String who, @ForAll String why, @ForAll @LongRange(min = 0) long since,
      @ForAll boolean on) {
    Entry entry = new Entry("switch:read-only", since, who, why,
        Map.of(SwitchName.READ_ONLY, on, SwitchName.ALL_FEATURES, !on, SwitchName.feature("a.b-c_d"), on));
    String encoded = EntryCodec.encode(entry);
    assertThat(encoded.split("\\|", -1)).hasSize(4); // the separators in who and why are escaped
    assertThat(EntryCodec.decode(entry.field(), encoded)).isEqualTo(entry);
  }

  @Test
  void theSameSettingsAlwaysEncodeTheSame() {
    Entry a = new Entry("mode:m", 1, "w", "y", Map.of(SwitchName.READ_ONLY, true, SwitchName.SERVE_CACHED, true));
    Entry b = new Entry("mode:m", 2, "w", "y", Map.of(SwitchName.SERVE_CACHED, true, SwitchName.READ_ONLY, true));
    assertThat(EntryCodec.encodeTail(a)).isEqualTo(EntryCodec.encodeTail(b)).isEqualTo("w|y|read-only=1,serve-cached=1");
  }

  @Test
  void corruptValuesAreRejectedNamingTheField() {
    assertThatThrownBy(() -> EntryCodec.decode("switch:read-only", "12|a|b"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("switch:read-only='12|a|b'");
    assertThatThrownBy(() -> EntryCodec.decode("switch:read-only", "x|a|b|read-only=1"))
        .hasMessageContaining("corrupt switchboard entry switch:read-only");
    assertThatThrownBy(() -> EntryCodec.decode("switch:read-only", "1|a|b|read-only=2"))
        .hasMessageContaining("bad setting 'read-only=2'");
    assertThatThrownBy(() -> EntryCodec.decode("switch:read-only", "1|a|b|nonsense=1"))
        .hasMessageContaining("switch id 'nonsense'");
    assertThatThrownBy(() -> EntryCodec.decode("other:x", "1|a|b|read-only=1"))
        .hasMessageContaining("corrupt switchboard entry other:x");
  }
}
