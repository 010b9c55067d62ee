package dev.ballast.core.internal;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * UTF-8 decoding that refuses malformed bytes instead of turning them into U+FFFD: for codecs of data
 * read back from Redis, where corrupt bytes must be reported (a counted miss, a dead letter), not passed
 * on as a plausible string.
 */
public final class StrictUtf8 {

  private StrictUtf8() {}

  /**
   * Decodes {@code bytes}.
   *
   * @param what names the data in the error, e.g. {@code "payload"}
   * @throws IllegalArgumentException if the bytes are not valid UTF-8
   */
  public static String decode(byte[] bytes, String what) {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(what + ": not valid UTF-8 (" + e.getMessage() + ")", e);
    }
  }
}
