package dev.ballast.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The file a launched server's stdout and stderr go to, appended across restarts, so that a failure can
 * quote what the server said.
 */
final class ServerLog {

  private final Path file;

  ServerLog(Path file) {
    this.file = file;
  }

  Path file() {
    return file;
  }

  /** Returns the current length, to read only what a later launch writes with {@link #since}. */
  long mark() {
    try {
      return Files.exists(file) ? Files.size(file) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /** Returns what was written after {@code mark}. */
  String since(long mark) {
    String all = read();
    return mark < all.length() ? all.substring((int) mark) : "";
  }

  /** Returns the last {@code lines} lines, ready to append to an error message. */
  String tail(int lines) {
    String[] all = read().split("\\R");
    String text =
        String.join("\n", Arrays.copyOfRange(all, Math.max(0, all.length - lines), all.length));
    return "--- last " + lines + " lines of redis-server output ---\n" + text;
  }

  private String read() {
    try {
      // Bytes rather than readAllLines: a half-written multi-byte character must not throw here.
      return Files.exists(file) ? new String(Files.readAllBytes(file), StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "(cannot read " + file + ": " + e + ")";
    }
  }
}
