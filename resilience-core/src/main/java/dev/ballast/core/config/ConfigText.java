package dev.ballast.core.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads a configuration's bytes: never more than {@link #MAX_BYTES} (the size is checked before reading,
 * and the read itself stops at the limit, for files that grow or report no size such as pipes and
 * devices), decoded as strict UTF-8 with the line of the first bad byte in the error.
 */
final class ConfigText {

  /** The largest configuration accepted; real ones are a few kilobytes. */
  static final int MAX_BYTES = 1 << 20;

  static final String TOO_LARGE = "is larger than 1 MiB; is this really a Ballast configuration?";

  private ConfigText() {}

  /**
   * @throws ConfigException if the file is over the limit or not UTF-8
   * @throws UncheckedIOException if it cannot be read
   */
  static String read(Path file) {
    String source = file.toString();
    try {
      if (Files.isRegularFile(file) && Files.size(file) > MAX_BYTES) {
        throw new ConfigException(source, 0, "", TOO_LARGE + " (" + Files.size(file) + " bytes)");
      }
      try (InputStream in = Files.newInputStream(file)) {
        return read(in, source);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read configuration " + file, e);
    }
  }

  /**
   * Reads {@code in} (not closed) up to the limit.
   *
   * @throws ConfigException if it is over the limit or not UTF-8
   * @throws IOException if it cannot be read
   */
  static String read(InputStream in, String source) throws IOException {
    byte[] bytes = in.readNBytes(MAX_BYTES + 1);
    if (bytes.length > MAX_BYTES) {
      throw new ConfigException(source, 0, "", TOO_LARGE);
    }
    return decode(bytes, source);
  }

  /** Strict UTF-8: a malformed or truncated sequence is an error at its line, never a U+FFFD. */
  static String decode(byte[] bytes, String source) {
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length); // UTF-8 never decodes to more chars than bytes
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      int at = in.position();
      int line = 1;
      int lineStart = 0;
      for (int i = 0; i < at; i++) {
        if (bytes[i] == '\n') {
          line++;
          lineStart = i + 1;
        }
      }
      byte[] bad = Arrays.copyOfRange(bytes, at, Math.min(bytes.length, at + Math.max(1, result.length())));
      StringBuilder hex = new StringBuilder();
      for (byte b : bad) {
        hex.append(hex.length() == 0 ? "" : " ").append(String.format("0x%02X", b & 0xFF));
      }
      throw new ConfigException(source, line, "", "not valid UTF-8: byte " + hex + " at column "
          + (at - lineStart + 1) + " (save the file as UTF-8)");
    }
    out.flip();
    return out.toString();
  }
}
