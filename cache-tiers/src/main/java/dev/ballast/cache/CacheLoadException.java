package dev.ballast.cache;

/**
 * A loader failed with a checked exception (its cause); unchecked exceptions and errors reach the caller
 * as they were thrown. Every caller waiting for the same load gets the same failure.
 */
public class CacheLoadException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** @param message names the cache and, for a single load, the key */
  public CacheLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
