package dev.ballast.testsupport;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Finds the {@code redis-server} executable to launch: the one on {@code PATH}, else the binary shipped
 * inside the {@code com.github.codemonstur:embedded-redis} jar, extracted once per JVM.
 *
 * <p>The system property {@value #PROPERTY} narrows the choice: {@code path} (PATH only), {@code
 * embedded} (the jar's binary only), any other value is the path of an executable; unset, blank or
 * {@code auto} means PATH, then embedded.
 */
final class RedisBinary {

  /** System property choosing where the executable comes from. */
  static final String PROPERTY = "ballast.redis.binary";

  /**
   * Resource names at the root of the embedded-redis 1.4.x jar, by {@code os-arch}. They carry the Redis
   * version, so bumping embedded-redis may need this table updated; the embedded-binary test says so.
   */
  private static final Map<String, String> EMBEDDED =
      Map.of(
          "linux-amd64", "redis-server-6.2.6-v5-linux-amd64",
          "linux-arm64", "redis-server-6.2.7-linux-arm64",
          "linux-386", "redis-server-6.2.7-linux-386",
          "darwin-amd64", "redis-server-6.2.6-v5-darwin-amd64",
          "darwin-arm64", "redis-server-6.2.6-v5-darwin-arm64");

  /** The extracted embedded binary; guarded by the class lock. */
  private static Path extracted;

  private RedisBinary() {}

  /** An executable and a word on where it came from, for logs and error messages. */
  record Resolved(Path executable, String origin) {

    /**
     * The version the executable reports ({@code redis-server --version}: {@code ... v=6.2.6 ...}).
     *
     * @throws IllegalStateException if it cannot be run or prints no version
     */
    RedisVersion version() {
      try {
        Process p = new ProcessBuilder(executable.toString(), "--version").redirectErrorStream(true).start();
        // Wait first, so a binary that hangs costs 10 s, not forever; its one line fits any pipe buffer.
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new IllegalStateException(executable + " --version did not exit within 10 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int at = out.indexOf("v=");
        return RedisVersion.parse(at >= 0 ? out.substring(at + 2) : out);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot run " + executable + " --version (from " + origin + ")", e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while asking " + executable + " for its version", e);
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(executable + " --version printed no version", e);
      }
    }
  }

  /**
   * Resolves {@code spec} (the value of {@value #PROPERTY}, possibly null) to an executable.
   *
   * @throws IllegalStateException if nothing suitable is found
   */
  static Resolved resolve(String spec) {
    String mode = spec == null || spec.isBlank() ? "auto" : spec.strip();
    switch (mode.toLowerCase(Locale.ROOT)) {
      case "auto":
        return onPath().map(p -> new Resolved(p, "PATH")).orElseGet(RedisBinary::embedded);
      case "path":
        return onPath()
            .map(p -> new Resolved(p, "PATH"))
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        PROPERTY + "=path but no executable redis-server is on PATH ("
                            + System.getenv("PATH") + ")"));
      case "embedded":
        return embedded();
      default:
        Path file = Path.of(mode);
        if (!Files.isRegularFile(file) || !Files.isExecutable(file)) {
          throw new IllegalStateException(
              PROPERTY + "=" + mode + " is not an executable file (expected path, embedded or a file)");
        }
        return new Resolved(file, PROPERTY);
    }
  }

  /** Returns the first executable {@code redis-server} in {@code PATH}, if any. */
  static Optional<Path> onPath() {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isEmpty()) {
        continue;
      }
      try {
        Path candidate = Path.of(dir, "redis-server");
        if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
          return Optional.of(candidate);
        }
      } catch (InvalidPathException ignored) {
        // A malformed PATH entry cannot hold the binary; keep looking.
      }
    }
    return Optional.empty();
  }

  /** Extracts the embedded binary for this platform (once per JVM) and returns it. */
  static synchronized Resolved embedded() {
    String platform = platform();
    String resource = EMBEDDED.get(platform);
    if (resource == null) {
      throw new IllegalStateException(
          "embedded-redis ships no redis-server usable for platform " + platform
              + "; install redis-server on PATH or set REDIS_URL");
    }
    if (extracted == null || !Files.isExecutable(extracted)) {
      extracted = extract(resource);
    }
    return new Resolved(extracted, "embedded-redis jar (" + resource + ")");
  }

  private static Path extract(String resource) {
    try (InputStream in = RedisBinary.class.getResourceAsStream("/" + resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "resource " + resource + " not found on the classpath: is com.github.codemonstur:"
                + "embedded-redis 1.4.x a dependency? (a newer version may rename its binaries)");
      }
      Path file = Files.createTempFile("ballast-", "-" + resource);
      Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
      if (!file.toFile().setExecutable(true, true)) {
        throw new IllegalStateException("cannot make " + file + " executable");
      }
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot extract embedded " + resource, e);
    }
  }

  /** Names this platform the way embedded-redis names its binaries. */
  private static String platform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String osPart = os.contains("linux") ? "linux" : os.contains("mac") ? "darwin" : os;
    String archPart;
    switch (arch) {
      case "amd64":
      case "x86_64":
        archPart = "amd64";
        break;
      case "aarch64":
      case "arm64":
        archPart = "arm64";
        break;
      case "x86":
      case "i386":
      case "i686":
        archPart = "386";
        break;
      default:
        archPart = arch;
    }
    return osPart + "-" + archPart;
  }
}
