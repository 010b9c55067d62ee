package dev.ballast.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/** Sends POSIX signals the JDK cannot send itself ({@code SIGSTOP}, {@code SIGCONT}) via {@code kill}. */
final class Signals {

  private Signals() {}

  /**
   * Sends {@code signal} (a name such as {@code STOP}) to {@code pid} and waits for {@code kill} to
   * report success.
   *
   * @throws IllegalStateException if {@code kill} fails
   */
  static void send(long pid, String signal) {
    try {
      Process kill = start(signal, pid);
      String output = new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (!kill.waitFor(10, TimeUnit.SECONDS)) {
        kill.destroyForcibly();
        throw new IllegalStateException("kill -" + signal + " " + pid + " did not finish in 10 s");
      }
      if (kill.exitValue() != 0) {
        throw new IllegalStateException(
            "kill -" + signal + " " + pid + " failed (exit " + kill.exitValue() + "): " + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run kill -" + signal + " " + pid, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending SIG" + signal + " to " + pid, e);
    }
  }

  private static Process start(String signal, long pid) throws IOException {
    try {
      return new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
    } catch (IOException noKillBinary) {
      // Minimal images may lack /bin/kill (procps); every POSIX shell has kill as a builtin.
      return new ProcessBuilder("sh", "-c", "kill -s " + signal + " " + pid)
          .redirectErrorStream(true)
          .start();
    }
  }
}
