package dev.ballast.cache.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The entry format in Redis: an ASCII header written by {@code write.lua} with Redis's own clock, then the
 * codec's bytes: {@code BC1:<write ms>:<soft expiry ms>:<hard expiry ms>:<load ms>:<V|N>\n<payload>}.
 * ASCII so that {@code redis-cli GET} shows it and Lua can read the soft expiry without a binary library;
 * the {@code BC1} tag versions the format: anything else is an unknown format, treated as corrupt.
 */
final class Header {

  static final byte[] MAGIC = "BC1:".getBytes(StandardCharsets.US_ASCII);
  private static final int MAX_HEADER = 96;

  /** A parsed entry; {@code payload} is null for a cached absence. */
  record Parsed(long writeMs, long softMs, long hardMs, long loadMs, byte[] payload) {}

  private Header() {}

  /** The write time of a {@code BC1} entry, whether or not the rest of it parses; else -1. */
  static long writeMs(byte[] bytes) {
    // As leniently as lease.lua reads it: the digits after the tag, whatever follows.
    if (bytes == null || bytes.length <= MAGIC.length) {
      return -1;
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (bytes[i] != MAGIC[i]) {
        return -1;
      }
    }
    long value = 0;
    int pos = MAGIC.length;
    while (pos < bytes.length && pos - MAGIC.length < 18 && bytes[pos] >= '0' && bytes[pos] <= '9') {
      value = value * 10 + (bytes[pos] - '0');
      pos++;
    }
    return pos > MAGIC.length && pos < bytes.length && bytes[pos] == ':' ? value : -1;
  }

  /** Parses {@code bytes}, or returns null if they are not an entry in a format this version knows. */
  static Parsed parse(byte[] bytes) {
    if (bytes == null || bytes.length < MAGIC.length + 10) {
      return null;
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (bytes[i] != MAGIC[i]) {
        return null;
      }
    }
    long[] numbers = new long[4];
    int pos = MAGIC.length;
    for (int n = 0; n < 4; n++) {
      long value = 0;
      int start = pos;
      while (pos < bytes.length && pos < MAX_HEADER && bytes[pos] >= '0' && bytes[pos] <= '9') {
        value = value * 10 + (bytes[pos] - '0');
        pos++;
      }
      if (pos == start || pos - start > 18 || pos >= bytes.length || bytes[pos] != ':') {
        return null;
      }
      numbers[n] = value;
      pos++;
    }
    if (pos + 1 >= bytes.length || bytes[pos + 1] != '\n') {
      return null;
    }
    byte flag = bytes[pos];
    byte[] payload;
    if (flag == 'V') {
      payload = Arrays.copyOfRange(bytes, pos + 2, bytes.length);
    } else if (flag == 'N' && pos + 2 == bytes.length) {
      payload = null;
    } else {
      return null;
    }
    if (numbers[1] < numbers[0] || numbers[2] < numbers[1]) {
      return null;
    }
    return new Parsed(numbers[0], numbers[1], numbers[2], numbers[3], payload);
  }
}
