package dev.ballast.cache.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.ballast.cache.Codec;
import dev.ballast.cache.JsonCodec;
import io.lettuce.core.cluster.SlotHash;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Redis names of cache keys: every per-key name of one key lands in one Redis Cluster slot, and distinct
 * keys never share a name, whatever their bytes and whichever shipped key codec made them.
 */
class KeySpaceTest {

  private static final KeySpace KEYS = new KeySpace("ballast:cache:c:");

  /** Every name the cache keeps per key; a new one (a version key, a tombstone) must be added here. */
  private static List<byte[]> perKeyNames(KeySpace keys, byte[] encodedKey) {
    return List.of(keys.value(encodedKey), keys.lease(encodedKey));
  }

  // ------------------------------------------------------------------ one slot per key

  @Property(tries = 2000)
  void everyNameOfAKeyIsInTheSameClusterSlot(@ForAll("keyBytes") byte[] key, @ForAll("prefixes") String prefix) {
    KeySpace keys = new KeySpace(prefix);
    List<byte[]> names = perKeyNames(keys, key);
    int slot = slot(names.get(0));
    for (byte[] name : names) {
      assertThat(slot(name)).as(printable(name)).isEqualTo(slot);
      assertThat(SlotHash.getSlot(name)).as("lettuce agrees on " + printable(name)).isEqualTo(slot(name));
    }
    // The tag is never empty: an empty one would hash the whole name, different for each kind.
    assertThat(hashTag(names.get(0))).isNotNull();
  }

  @Example
  void theEmptyKeyAndAKeyStartingWithAClosingBraceShareASlotWithTheirLease() {
    for (String key : new String[] {"", "}", "}user", "{", "{}", "a}b{c}", "%", "%7D"}) {
      byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
      assertThat(slot(KEYS.lease(bytes))).as("'" + key + "'").isEqualTo(slot(KEYS.value(bytes)));
    }
  }

  @Example
  void ordinaryKeysStayReadable() {
    assertThat(new String(KEYS.value("user:42".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8))
        .isEqualTo("ballast:cache:c:{user:42}:v");
    assertThat(new String(KEYS.lease("}x%".getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8))
        .isEqualTo("ballast:cache:c:{%7Dx%25}:l");
    assertThat(new String(KEYS.value(new byte[0]), StandardCharsets.UTF_8)).isEqualTo("ballast:cache:c:{%}:v");
  }

  // ------------------------------------------------------------------ distinct keys, distinct names

  @Property(tries = 3000)
  void distinctKeyBytesNeverShareAName(@ForAll("keyBytes") byte[] a, @ForAll("keyBytes") byte[] b) {
    if (Arrays.equals(a, b)) {
      return;
    }
    assertThat(KEYS.value(a)).isNotEqualTo(KEYS.value(b));
    assertThat(KEYS.lease(a)).isNotEqualTo(KEYS.lease(b));
    assertThat(KEYS.value(a)).isNotEqualTo(KEYS.lease(b));
  }

  @Property(tries = 3000)
  void distinctStringKeysNeverShareARedisKeyWithAnyShippedKeyCodec(
      @ForAll("keyCodecs") Codec<String> codec, @ForAll("keyStrings") String a, @ForAll("keyStrings") String b) {
    if (a.equals(b)) {
      return;
    }
    byte[] first = encodeOrNull(codec, a);
    byte[] second = encodeOrNull(codec, b);
    if (first != null && second != null) {
      assertThat(KEYS.value(first)).as("'%s' and '%s' through %s", escape(a), escape(b), codec)
          .isNotEqualTo(KEYS.value(second));
    }
  }

  @Example
  void aLoneSurrogateAndAQuestionMarkAreDifferentKeys() {
    for (Codec<String> codec : List.of(Codec.utf8(), JsonCodec.of(new ObjectMapper(), String.class))) {
      byte[] question = codec.encode("user:?");
      byte[] lone = encodeOrNull(codec, "user:\uD800");
      assertThat(lone == null || !Arrays.equals(KEYS.value(lone), KEYS.value(question))).as(codec.toString()).isTrue();
    }
  }

  @Property(tries = 2000)
  void everyShippedKeyCodecRoundTripsOrRefuses(@ForAll("keyCodecs") Codec<String> codec, @ForAll("keyStrings") String key) {
    byte[] bytes = encodeOrNull(codec, key);
    if (bytes != null) {
      assertThat(codec.decode(bytes)).isEqualTo(key);
    }
  }

  @Example
  void utf8RefusesALoneSurrogateNamingItsIndex() {
    assertThatThrownBy(() -> Codec.utf8().encode("user:\uD800"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("U+D800 at index 5");
    assertThatThrownBy(() -> Codec.utf8().encode("ab\uDC00?")).hasMessageContaining("U+DC00 at index 2");
    assertThatThrownBy(() -> Codec.utf8().encode("\uD83D")).hasMessageContaining("index 0");
    assertThat(Codec.utf8().encode("user:?")).isEqualTo("user:?".getBytes(StandardCharsets.US_ASCII));
    assertThat(Codec.utf8().decode(Codec.utf8().encode("\uD83D\uDE00?"))).isEqualTo("\uD83D\uDE00?"); // a pair is fine
  }

  /**
   * The codec's bytes, or null when it refuses the key. {@code Codec.utf8()} must refuse with an
   * IllegalArgumentException; Jackson refuses a lone surrogate with its own exception.
   */
  private static byte[] encodeOrNull(Codec<String> codec, String key) {
    try {
      return codec.encode(key);
    } catch (IllegalArgumentException refused) {
      return null;
    } catch (RuntimeException refused) {
      assertThat(codec).as("only JSON may refuse with another exception: " + refused).isInstanceOf(JsonCodec.class);
      return null;
    }
  }

  @Provide
  Arbitrary<Codec<String>> keyCodecs() {
    return Arbitraries.of(List.of(Codec.utf8(), JsonCodec.of(new ObjectMapper(), String.class)));
  }

  /** Strings from few characters, so that collisions ('?' against a lone surrogate) are likely. */
  @Provide
  Arbitrary<String> keyStrings() {
    return Arbitraries.frequencyOf(
        net.jqwik.api.Tuple.of(4, Arbitraries.strings().withChars("?\uD800\uDC00\uD83Da").ofMaxLength(3)),
        net.jqwik.api.Tuple.of(1, Arbitraries.strings().withChars("?\uD800\uDC00\uD83D\uDE00a:{}%\"\\").ofMaxLength(6)),
        net.jqwik.api.Tuple.of(1, Arbitraries.strings().ofMaxLength(12)));
  }

  /** Arbitrary bytes, weighted towards the ones with a meaning in names: braces, percent, hex digits. */
  @Provide
  Arbitrary<byte[]> keyBytes() {
    Arbitrary<Byte> special = Arbitraries.of((byte) '{', (byte) '}', (byte) '%', (byte) '7', (byte) 'D',
        (byte) '2', (byte) '5', (byte) ':', (byte) 0, (byte) 0xFF);
    Arbitrary<Byte> any = Arbitraries.bytes();
    return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(3, special), net.jqwik.api.Tuple.of(1, any))
        .list().ofMaxSize(10)
        .map(list -> {
          byte[] bytes = new byte[list.size()];
          for (int i = 0; i < bytes.length; i++) {
            bytes[i] = list.get(i);
          }
          return bytes;
        });
  }

  @Provide
  Arbitrary<String> prefixes() {
    return Arbitraries.of("ballast:cache:c:", "p", "a b:", "x%7D:", "é:");
  }

  // ------------------------------------------------------------------ the Redis Cluster slot, from the spec

  /**
   * HASH_SLOT = CRC16(key) mod 16384 (CRC16-XMODEM: polynomial 0x1021, initial 0), where key is the hash
   * tag if there is one: the bytes between the first '{' and the first '}' after it, when not empty.
   */
  static int slot(byte[] name) {
    byte[] tag = hashTag(name);
    return crc16(tag == null ? name : tag) % 16384;
  }

  /** The non-empty hash tag, or null when Redis hashes the whole name. */
  static byte[] hashTag(byte[] name) {
    int open = indexOf(name, (byte) '{', 0);
    if (open < 0) {
      return null;
    }
    int close = indexOf(name, (byte) '}', open + 1);
    if (close < 0 || close == open + 1) {
      return null;
    }
    return Arrays.copyOfRange(name, open + 1, close);
  }

  private static int indexOf(byte[] bytes, byte wanted, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == wanted) {
        return i;
      }
    }
    return -1;
  }

  static int crc16(byte[] bytes) {
    int crc = 0;
    for (byte b : bytes) {
      crc ^= (b & 0xFF) << 8;
      for (int bit = 0; bit < 8; bit++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
      crc &= 0xFFFF;
    }
    return crc;
  }

  @Example
  void theSlotFunctionMatchesTheClusterSpecsExamples() {
    assertThat(crc16("123456789".getBytes(StandardCharsets.US_ASCII))).isEqualTo(0x31C3); // spec's check value
    assertThat(slot("{user1000}.following".getBytes(StandardCharsets.US_ASCII)))
        .isEqualTo(slot("{user1000}.followers".getBytes(StandardCharsets.US_ASCII)));
    assertThat(hashTag("foo{}{bar}".getBytes(StandardCharsets.US_ASCII))).isNull();
    assertThat(hashTag("foo{{bar}}zap".getBytes(StandardCharsets.US_ASCII))).containsExactly("{bar".getBytes(StandardCharsets.US_ASCII));
  }

  private static String printable(byte[] name) {
    return escape(new String(name, StandardCharsets.ISO_8859_1));
  }

  private static String escape(String text) {
    StringBuilder out = new StringBuilder();
    text.chars().forEach(c -> out.append(c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : String.format("\\u%04X", c)));
    return out.toString();
  }
}
