package dev.ballast.redis;

import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.Futures;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisConnectionException;
import io.lettuce.core.RedisException;
import java.io.IOException;
import java.nio.channels.ClosedByInterruptException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rule behind {@link RedisErrorKind#classify(Throwable)}: a pure function from a failure to its kind,
 * kept apart from the enum so the enum stays a list of kinds.
 *
 * <p>Order matters. An interrupt anywhere in the cause chain wins (Lettuce wraps it, and a command cut
 * short by its caller says nothing about Redis). An error reply comes next, judged by its code: Redis
 * answered, so only the code can say it is unavailable ({@code LOADING}, {@code BUSY}, ...). Then the
 * failures without a reply: timeouts, cancellations, connection failures. A Lettuce exception that names
 * none of these counts as an outage (wrongly calling an outage a data error would make every call pay
 * the timeout); any other exception is the client's own ({@code CLIENT}).
 */
final class RedisErrorClassifier {

  /** Cause chains longer than this are cut (and cycles stopped) when walking them. */
  private static final int MAX_CHAIN = 32;

  private static final Map<String, RedisErrorKind> CODES = Map.ofEntries(
      Map.entry("LOADING", RedisErrorKind.UNAVAILABLE),
      Map.entry("BUSY", RedisErrorKind.UNAVAILABLE),
      Map.entry("MASTERDOWN", RedisErrorKind.UNAVAILABLE),
      Map.entry("TRYAGAIN", RedisErrorKind.UNAVAILABLE),
      Map.entry("CLUSTERDOWN", RedisErrorKind.UNAVAILABLE),
      Map.entry("READONLY", RedisErrorKind.UNAVAILABLE),
      // min-replicas-to-write not met, and a failed RDB save with stop-writes-on-bgsave-error: every write
      // of every key is refused, so the component cannot work.
      Map.entry("NOREPLICAS", RedisErrorKind.UNAVAILABLE),
      Map.entry("MISCONF", RedisErrorKind.UNAVAILABLE),
      Map.entry("NOAUTH", RedisErrorKind.AUTHENTICATION),
      Map.entry("WRONGPASS", RedisErrorKind.AUTHENTICATION),
      Map.entry("WRONGTYPE", RedisErrorKind.WRONG_TYPE),
      Map.entry("CROSSSLOT", RedisErrorKind.CROSS_SLOT),
      Map.entry("NOPERM", RedisErrorKind.NO_PERMISSION),
      Map.entry("OOM", RedisErrorKind.OUT_OF_MEMORY),
      Map.entry("NOSCRIPT", RedisErrorKind.SCRIPT));

  /**
   * Where a script's error names the error of the command it called. Redis 6 writes a reply of the called
   * command as {@code @user_script:3: WRONGTYPE ...}, and a refusal raised before the command runs (OOM,
   * READONLY, MISCONF) as {@code @user_script:3: @user_script: 3: -OOM ...}; Redis 7 starts with the code
   * and ends with {@code script: <sha>, on @user_script:3.} (read by code).
   */
  private static final Pattern SCRIPT_LINE = Pattern.compile("@user_script:\\s*\\d+:\\s*-?([A-Z]+)\\b");

  private RedisErrorClassifier() {}

  static RedisErrorKind classify(Throwable error) {
    Check.notNull(error, "error");
    List<Throwable> chain = chain(Futures.unwrap(error));
    for (Throwable t : chain) {
      if (t instanceof InterruptedException || t instanceof RedisCommandInterruptedException
          || t instanceof ClosedByInterruptException) {
        return RedisErrorKind.INTERRUPTED;
      }
    }
    boolean connecting = false;
    for (Throwable t : chain) {
      connecting |= t instanceof RedisConnectionException;
      if (t instanceof RedisCommandExecutionException) {
        RedisErrorKind kind = ofReply(t.getMessage());
        // A reply while connecting (AUTH, HELLO, SELECT) failed the connection, so the component has none:
        // an outage whatever the reply, named for what it was when it says so (auth, loading).
        return connecting && !kind.isOutage() ? RedisErrorKind.CONNECTION : kind;
      }
    }
    if (any(chain, t -> t instanceof RedisCommandTimeoutException || t instanceof TimeoutException)) {
      return RedisErrorKind.TIMEOUT;
    }
    if (any(chain, t -> t instanceof CancellationException)) {
      return RedisErrorKind.UNAVAILABLE;
    }
    if (any(chain, t -> t instanceof RedisConnectionException || t instanceof IOException
        || (t instanceof RedisException && t.getCause() == null && namesTheConnection(t.getMessage())))) {
      return RedisErrorKind.CONNECTION;
    }
    Throwable root = chain.get(chain.size() - 1);
    // Lettuce wraps a checked exception from a codec in a bare RedisException: the root names the culprit.
    return root instanceof RedisException ? RedisErrorKind.UNAVAILABLE : RedisErrorKind.CLIENT;
  }

  /** The kind of an error reply, from its text (e.g. {@code "WRONGTYPE Operation against a key ..."}). */
  static RedisErrorKind ofReply(String message) {
    String text = message == null ? "" : message.strip();
    RedisErrorKind byCode = CODES.get(firstWord(text));
    if (byCode != null) {
      return byCode;
    }
    String lower = text.toLowerCase(Locale.ROOT);
    if (lower.contains("invalid password") || lower.contains("invalid username-password")
        || (lower.startsWith("err") && lower.contains("auth") && lower.contains("password"))) {
      return RedisErrorKind.AUTHENTICATION;
    }
    if (lower.contains("user_script") || lower.contains("error running script") || lower.contains("script:")) {
      Matcher inner = SCRIPT_LINE.matcher(text);
      while (inner.find()) {
        RedisErrorKind called = CODES.get(inner.group(1));
        if (called != null) {
          return called;
        }
      }
      return RedisErrorKind.SCRIPT;
    }
    return RedisErrorKind.REPLY;
  }

  private static String firstWord(String text) {
    int start = text.startsWith("-") ? 1 : 0; // the RESP marker, should a caller pass the raw line
    int end = start;
    while (end < text.length() && !Character.isWhitespace(text.charAt(end))) {
      end++;
    }
    return text.substring(start, end).toUpperCase(Locale.ROOT);
  }

  private static boolean namesTheConnection(String message) {
    if (message == null) {
      return false;
    }
    String lower = message.toLowerCase(Locale.ROOT);
    // Lettuce: "Connection closed", "Connection is closed", "Currently not connected. Commands are rejected."
    return lower.contains("connection") || lower.contains("not connected");
  }

  private static boolean any(List<Throwable> chain, Predicate<Throwable> test) {
    for (Throwable t : chain) {
      if (test.test(t)) {
        return true;
      }
    }
    return false;
  }

  private static List<Throwable> chain(Throwable error) {
    List<Throwable> chain = new ArrayList<>();
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = error; t != null && chain.size() < MAX_CHAIN && seen.add(t); t = t.getCause()) {
      chain.add(t);
    }
    return chain;
  }
}
