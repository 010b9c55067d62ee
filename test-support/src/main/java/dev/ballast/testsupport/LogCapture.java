package dev.ballast.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Captures what slf4j-simple (the tests' SLF4J binding) writes to {@code System.err} while open, and
 * still passes it through. slf4j-simple looks {@code System.err} up on every line unless told to cache
 * it, so swapping the stream is enough.
 * <pre>{@code
 * try (LogCapture log = new LogCapture()) {
 *   ...
 *   assertThat(log.lines("WARN", "queue:mail")).hasSize(1);
 * }
 * }</pre>
 */
public final class LogCapture implements AutoCloseable {

  private final PrintStream original = System.err;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

  /** Starts capturing {@code System.err}. */
  public LogCapture() {
    PrintStream tee = new PrintStream(new java.io.OutputStream() {
      @Override
      public void write(int b) {
        synchronized (captured) {
          captured.write(b);
        }
        original.write(b);
      }

      @Override
      public void write(byte[] b, int off, int len) {
        synchronized (captured) {
          captured.write(b, off, len);
        }
        original.write(b, off, len);
      }
    }, true, StandardCharsets.UTF_8);
    System.setErr(tee);
  }

  /**
   * The captured lines that contain every one of {@code parts}.
   *
   * @throws NullPointerException if a part is null
   */
  public List<String> lines(String... parts) {
    String text;
    synchronized (captured) {
      text = captured.toString(StandardCharsets.UTF_8);
    }
    return text.lines().filter(line -> {
      for (String part : parts) {
        if (!line.contains(part)) {
          return false;
        }
      }
      return true;
    }).toList();
  }

  /** Stops capturing: {@code System.err} is the stream it was before. */
  @Override
  public void close() {
    System.setErr(original);
  }
}
