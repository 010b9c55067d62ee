package dev.ballast.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.NumericChars;

/** The deferred writes' payloads: tab-separated UTF-8 text, read back exactly or refused with a reason. */
class WritePayloadsTest {

  @Property
  void aCartLineReadsBackAsWritten(@ForAll @AlphaChars @NumericChars @Chars({'-', ' ', 'é', '€', ':'}) String user,
      @ForAll @AlphaChars @NumericChars @Chars({'-', '_'}) String sku, @ForAll @IntRange(min = -5, max = 1000) int quantity) {
    QueuedWrites.CartLine line = new QueuedWrites.CartLine(user, sku, quantity);
    var codec = QueuedWrites.CART_LINE.codec();
    assertThat(codec.decode(codec.encode(line))).isEqualTo(line);
  }

  @Property
  void aPriceChangeReadsBackAsWrittenWithItsTime(@ForAll @AlphaChars @NumericChars @Chars({'-', '_'}) String sku,
      @ForAll long priceCents, @ForAll long asOfMillis) {
    QueuedWrites.PendingPrice change = new QueuedWrites.PendingPrice(sku, priceCents, asOfMillis);
    var codec = QueuedWrites.PRICE_CHANGE.codec();
    assertThat(codec.decode(codec.encode(change))).isEqualTo(change);
  }

  @Example
  void anOrderIsUtf8TextWithTabsBetweenItsFields() {
    byte[] bytes = QueuedWrites.PLACE_ORDER.codec().encode(new QueuedWrites.PendingOrder("order-1", "user-é", 4_200));
    assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo("order-1\tuser-é\t4200");
  }

  @Example
  void aFieldWithATabOrALineBreakCannotBeWritten() {
    var codec = QueuedWrites.CART_LINE.codec();
    assertThatThrownBy(() -> codec.encode(new QueuedWrites.CartLine("user\t1", "sku-1", 1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tab or line break");
    assertThatThrownBy(() -> codec.encode(new QueuedWrites.CartLine("user-1", "sku\n1", 1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Example
  void bytesOfAnotherShapeAreRefusedWithTheReason() {
    var codec = QueuedWrites.CART_LINE.codec();
    assertThatThrownBy(() -> codec.decode("user-1\tsku-1".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 tab-separated fields, had 2");
    assertThatThrownBy(() -> codec.decode("user-1\tsku-1\tmany".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(NumberFormatException.class);
    assertThatThrownBy(() -> codec.decode(new byte[] {(byte) 0xC3, 0x28, 9, 'a', 9, '1'}))
        .isInstanceOf(IllegalArgumentException.class); // malformed UTF-8 is refused, not replaced
  }
}
