package dev.ballast.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A JVM that exits without closing its servers, even a paused one, leaves no redis-server behind. */
class ShutdownHookTest {

  @Test
  void serversLeftRunningOrPausedDieWithTheJvm(@TempDir Path tmp) throws Exception {
    Path pidFile = tmp.resolve("pids");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process child =
        new ProcessBuilder(
                java.toString(),
                "-cp", System.getProperty("java.class.path"),
                OrphanCheck.class.getName(),
                pidFile.toString())
            .redirectErrorStream(true)
            .redirectOutput(tmp.resolve("child.log").toFile())
            .start();

    assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child JVM exited").isTrue();
    assertThat(child.exitValue()).as(Files.readString(tmp.resolve("child.log"))).isZero();
    List<Long> pids = Files.readAllLines(pidFile).stream().map(Long::parseLong).toList();
    assertThat(pids).hasSize(2);
    // The hook sends SIGKILL and does not wait for it, so give the kernel a moment to deliver it.
    await().atMost(Duration.ofSeconds(10)).until(() -> pids.stream().noneMatch(ShutdownHookTest::alive));
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isPresent();
  }
}
