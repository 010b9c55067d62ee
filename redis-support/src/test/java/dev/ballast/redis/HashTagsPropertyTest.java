package dev.ballast.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lettuce.core.cluster.SlotHash;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class HashTagsPropertyTest {

  @Property(tries = 2000)
  void everyNameOfOneKeyLandsInTheSlotOfItsTag(
      @ForAll("prefixes") byte[] prefix, @ForAll("keys") byte[] key, @ForAll byte[] suffixA, @ForAll byte[] suffixB) {
    int slot = SlotHash.getSlot(HashTags.tag(key));
    assertThat(SlotHash.getSlot(HashTags.name(prefix, key, suffixA))).isEqualTo(slot);
    assertThat(SlotHash.getSlot(HashTags.name(prefix, key, suffixB))).isEqualTo(slot);
  }

  @Property(tries = 2000)
  void tagsAreNeverEmptyHoldNoClosingBraceAndAreInjective(@ForAll("keys") byte[] a, @ForAll("keys") byte[] b) {
    byte[] tagA = HashTags.tag(a);
    assertThat(tagA).isNotEmpty().doesNotContain((byte) '}');
    assertThat(Arrays.equals(tagA, HashTags.tag(b))).isEqualTo(Arrays.equals(a, b));
  }

  @Example
  void theAwkwardKeysGetTagsOfTheirOwn() {
    assertThat(HashTags.tag(new byte[0])).isEqualTo(bytes("%"));
    assertThat(HashTags.tag(bytes("}"))).isEqualTo(bytes("%7D"));
    assertThat(HashTags.tag(bytes("%"))).isEqualTo(bytes("%25"));
    assertThat(HashTags.tag(bytes("{a}"))).isEqualTo(bytes("{a%7D"));
    assertThat(HashTags.name(bytes("p:"), bytes("}x"), bytes(":v"))).isEqualTo(bytes("p:{%7Dx}:v"));
  }

  @Example
  void aPrefixWithAnOpeningBraceIsRefusedNamingTheField() {
    assertThatThrownBy(() -> HashTags.name(bytes("a{"), bytes("k"), bytes(":v")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("prefix");
  }

  @Provide
  Arbitrary<byte[]> keys() {
    // Arbitrary bytes, weighted towards the ones that matter to hash tags.
    Arbitrary<Byte> awkward = Arbitraries.of((byte) '{', (byte) '}', (byte) '%', (byte) 0, (byte) 0xff);
    Arbitrary<Byte> any = Arbitraries.bytes();
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(1, awkward), net.jqwik.api.Tuple.of(2, any))
        .array(byte[].class).ofMaxSize(40);
  }

  @Provide
  Arbitrary<byte[]> prefixes() {
    return Arbitraries.bytes().filter(b -> b != '{').array(byte[].class).ofMaxSize(20);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
