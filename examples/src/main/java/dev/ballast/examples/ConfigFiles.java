package dev.ballast.examples;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The configuration files, copied from the class path into a temporary directory: {@code storefront.yaml}
 * (the team's file) and {@code instance-a.yaml} / {@code instance-b.yaml} (each instance's own settings,
 * extending it). {@code extends} names files relative to the file that extends them, so they must sit side
 * by side on disk, which a jar's resources do not. Deleted on {@link #close()}.
 */
final class ConfigFiles implements AutoCloseable {

  private static final List<String> FILES = List.of("storefront.yaml", "instance-a.yaml", "instance-b.yaml");

  private final Path directory;

  private ConfigFiles(Path directory) {
    this.directory = directory;
  }

  static ConfigFiles unpack() {
    try {
      Path directory = Files.createTempDirectory("ballast-demo-config");
      for (String name : FILES) {
        try (InputStream in = ConfigFiles.class.getResourceAsStream("/" + name)) {
          if (in == null) {
            throw new IllegalStateException(name + " is not on the class path");
          }
          Files.copy(in, directory.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        }
      }
      return new ConfigFiles(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not unpack the demo's configuration", e);
    }
  }

  /** The file of instance {@code id} ("a" or "b"). */
  Path instance(String id) {
    return directory.resolve("instance-" + id + ".yaml");
  }

  @Override
  public void close() {
    try {
      for (String name : FILES) {
        Files.deleteIfExists(directory.resolve(name));
      }
      Files.deleteIfExists(directory);
    } catch (IOException e) {
      throw new UncheckedIOException("Could not delete " + directory, e);
    }
  }
}
