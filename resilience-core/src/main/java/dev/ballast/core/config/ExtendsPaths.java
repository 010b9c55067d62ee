package dev.ballast.core.config;

import dev.ballast.core.config.spi.ConfigNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/**
 * Which files {@code extends:} may read: at or below the including file's folder, or in a folder the
 * application allowed ({@link Configuration.Loader#allowExtendsFrom}). Checked twice: on the normalized
 * path (no {@code ../} out), then on the real path, so a symbolic link cannot lead outside either.
 */
final class ExtendsPaths {

  private ExtendsPaths() {}

  /**
   * @param directory the including file's folder, or null for a preset or parsed text
   * @return the file to read, absolute and normalized
   * @throws ConfigException at {@code reference} if the file may not be read or does not exist
   */
  static Path check(ConfigNode reference, String name, Path directory, List<Path> allowed) {
    if (directory == null) {
      throw reference.error("can only extend a file from a configuration loaded from a file; use a preset name");
    }
    Path file;
    try {
      file = directory.resolve(name).normalize();
    } catch (InvalidPathException e) {
      throw reference.error("'" + name + "' is not a file path: " + e.getReason());
    }
    if (!within(file, directory, allowed, false)) {
      throw outside(reference, name, directory, "");
    }
    if (!Files.isRegularFile(file)) {
      throw reference.error("extends " + file + ", which does not exist");
    }
    if (!within(real(file), real(directory), allowed, true)) {
      throw outside(reference, name, directory, " through a symbolic link");
    }
    return file;
  }

  private static boolean within(Path file, Path directory, List<Path> allowed, boolean realPaths) {
    if (file.startsWith(directory)) {
      return true;
    }
    for (Path folder : allowed) {
      if (realPaths ? Files.exists(folder) && file.startsWith(real(folder)) : file.startsWith(folder)) {
        return true;
      }
    }
    return false;
  }

  private static ConfigException outside(ConfigNode reference, String name, Path directory, String how) {
    return reference.error("extends " + name + ", which is outside " + directory + how + "; a configuration may"
        + " extend files in its own folder or below, or in folders the application allows with"
        + " Configuration.loader().allowExtendsFrom(folder)");
  }

  private static Path real(Path path) {
    try {
      return path.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not resolve " + path, e);
    }
  }
}
