package dev.ballast.degradation.internal;

import java.time.Clock;

/**
 * A hybrid logical clock: stamps each change of the fleet state so that the newest operator action wins,
 * whatever order the writes reach Redis in and whatever Redis forgot (a flush, a restart without
 * persistence, an older state restored from an append-only file). A stamp is the wall clock in millis
 * (13 digits), a counter (6 digits) and the instance that made it: {@code 1764780000000000000@a}.
 * Stamps compare as strings (byte order, as the Lua script compares them): first by time, then counter,
 * then instance, so two instances never make equal stamps.
 *
 * <p>Every stamp this instance makes is later than every stamp it has seen ({@link #observe}), so an action
 * taken after seeing another's change is ordered after it even if this host's clock is behind; actions
 * that did not see each other are ordered by wall clock. The empty stamp (an entry written by hand or by an
 * older version) is older than any.
 *
 * <p>A stamp more than {@link #MAX_AHEAD_MILLIS} ahead of this host's clock is not trusted ({@link
 * #trusted}): it does not move this clock and counts as the oldest stamp, so a host whose clock ran away
 * (or an entry edited by hand) cannot win over every later action, nor push this clock to where its stamps
 * would overflow their 13 digits of millis and sort before older ones. {@code apply.lua} applies the same
 * bound against Redis {@code TIME}.
 *
 * <p>Thread-safe: one monitor guards the last stamp.
 */
final class Hlc {

  private static final int DIGITS = 19;
  private static final long MAX_COUNTER = 999_999;
  /** How far ahead of this host's clock a stamp is trusted; {@code apply.lua}'s {@code MAX_AHEAD}. */
  static final long MAX_AHEAD_MILLIS = 300_000;

  private final String instance;
  private final Clock clock;
  private long millis;
  private long counter;

  Hlc(String instance, Clock clock) {
    this.instance = instance;
    this.clock = clock;
  }

  /** A new stamp, later than every stamp made or observed here. */
  synchronized String next() {
    long now = clock.millis();
    if (now > millis) {
      millis = now;
      counter = 0;
    } else if (++counter > MAX_COUNTER) {
      millis++;
      counter = 0;
    }
    return String.format("%013d%06d@%s", millis, counter, instance);
  }

  /**
   * Moves this clock past {@code stamp} (a stamp seen in Redis or a broadcast); ignores invalid ones and
   * those from further ahead than {@link #MAX_AHEAD_MILLIS}.
   */
  synchronized void observe(String stamp) {
    if (trusted(stamp).isEmpty()) {
      return;
    }
    long m = Long.parseLong(stamp, 0, 13, 10);
    long c = Long.parseLong(stamp, 13, DIGITS, 10);
    if (m > millis || (m == millis && c > counter)) {
      millis = m;
      counter = c;
    }
  }

  /** Whether {@code stamp} has the form this class makes. */
  static boolean valid(String stamp) {
    if (stamp == null || stamp.length() <= DIGITS + 1 || stamp.charAt(DIGITS) != '@') {
      return false;
    }
    for (int i = 0; i < DIGITS; i++) {
      char c = stamp.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
    }
    for (int i = DIGITS + 1; i < stamp.length(); i++) {
      if (stamp.charAt(i) > 0x7e || stamp.charAt(i) < 0x21) {
        return false; // ASCII only, so that String order is the script's byte order
      }
    }
    return true;
  }

  /**
   * {@code stamp} if valid and at most {@link #MAX_AHEAD_MILLIS} ahead of this host's clock, else the empty
   * stamp (older than any).
   */
  String trusted(String stamp) {
    if (!valid(stamp) || Long.parseLong(stamp, 0, 13, 10) - clock.millis() > MAX_AHEAD_MILLIS) {
      return "";
    }
    return stamp;
  }

  /** Whether change {@code a} is newer than {@code b}. */
  static boolean newer(String a, String b) {
    return a.compareTo(b) > 0;
  }
}
