package dev.ballast.queue.internal;

import dev.ballast.core.Backoff;
import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.CircuitBreakerBuilder;
import dev.ballast.core.Jitter;
import dev.ballast.core.Ticker;
import dev.ballast.core.internal.Check;
import dev.ballast.queue.DeadLetter;
import dev.ballast.queue.QueueConfig;
import dev.ballast.queue.QueueStats;
import dev.ballast.queue.QueueInterruptedException;
import dev.ballast.queue.QueueUnavailableException;
import dev.ballast.redis.RedisErrorKind;
import dev.ballast.redis.RedisGuard;
import dev.ballast.redis.RedisReply;
import dev.ballast.redis.RedisScript;
import dev.ballast.redis.internal.port.RedisPort;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandInterruptedException;
import io.lettuce.core.RedisCommandTimeoutException;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.RedisClusterClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Redis backend: every operation is one {@code EVALSHA} of {@code queue.lua}, so each state change
 * is atomic on the server, and all keys of a queue share the hash tag {@code {prefix:queue:NAME}}, so
 * they live in one slot of a Redis Cluster (several queues spread over the slots by their names).
 *
 * <p>Design note: Redis is reached through a {@link RedisPort}, the same code on one server, a Sentinel
 * setup ({@code RedisClient} with a {@code redis-sentinel://} URI) and a Redis Cluster. The port's one
 * data connection is thread-safe and pipelines the commands of concurrent workers; calls wait for their
 * reply as the synchronous Lettuce API does (bounded by the client's command timeout, cancelled on an
 * interrupt). With {@link QueueConfig#replicas()} above 0, enqueues and acks are followed by {@code WAIT}
 * on a connection of the port's own for replicated writes ({@link RedisPort#evalAndWait}): Redis reads
 * nothing more from a client blocked in {@code WAIT}, so on the data connection a lagging replica would
 * hold up every claim, extension and stats call of this instance. Calls go through a {@link RedisGuard} for its breaker and once-per-outage
 * logging, but there is no fallback: a queue operation that Redis did not take fails with {@link
 * QueueUnavailableException}.
 * A breaker open after repeated failures makes calls fail at once instead of each waiting for a timeout.
 */
public final class RedisStore implements QueueStore {

  private static final Logger log = LoggerFactory.getLogger(RedisStore.class);
  static final RedisScript SCRIPT = RedisScript.fromResource(RedisStore.class, "queue.lua");
  private static final int FIELDS_PER_CLAIM = 11;
  private static final int FIELDS_PER_DEAD = 6;

  private final RedisPort port;
  private volatile RedisPort.Subscription notices;
  private final int replicas;
  private final Duration replicaTimeout;
  private final MinuteLog unreplicatedLog = new MinuteLog(log);
  private final byte[][] keys;
  private final Ticker testClock;
  private final RedisGuard guard;
  private final byte[] visibilityMillis;
  private final byte[] idempotencyMillis;
  private final byte[][] weights;
  private final int levels;
  private final String name;

  private RedisStore(RedisPort port, QueueConfig config) {
    this.port = port;
    this.replicas = config.replicas();
    this.replicaTimeout = config.replicaTimeout();
    this.name = config.name();
    String base = RedisKeys.base(config.aclPrefix(), config.keyPrefix(), "queue", config.name());
    // KEYS[2] is never created: it keeps the script off a slot in migration. The script touches keys it derives
    // from KEYS[1], which Redis Cluster cannot see; with only KEYS[1] (a name that never exists either) a
    // migrating source answered ASK and the script ran on the target against the part of the queue already
    // moved. Two declared keys, never both present, make both nodes answer TRYAGAIN until the slot has one
    // owner again (RedisScript retries it briefly, then the call fails as an outage): the queue waits out the
    // migration instead of splitting its state.
    this.keys = new byte[][] {bytes(base), bytes(base + ":migration-guard")};
    this.testClock = config.ticker();
    this.visibilityMillis = bytes(config.visibilityTimeout().toMillis());
    this.idempotencyMillis = bytes(config.idempotencyWindow().toMillis());
    this.levels = config.priorityWeights().size();
    this.weights = config.priorityWeights().stream().map(w -> bytes((long) w)).toArray(byte[][]::new);
    CircuitBreakerBuilder breaker = CircuitBreaker.builder()
        .name("redis:queue:" + config.name())
        .countWindow(20)
        .minimumCalls(5)
        .failureRateThreshold(0.5)
        // A batch enqueue or a wide claim legitimately takes longer than a GET: only count real stalls.
        .slowCallDuration(Duration.ofSeconds(5))
        .slowCallRateThreshold(0.5)
        .openDuration(Duration.ofSeconds(1))
        .halfOpenProbes(1);
    if (config.meterRegistry() != null) {
      breaker.meterRegistry(config.meterRegistry()); // ballast.circuitbreaker.*, as the cache's and board's guards
    }
    this.guard = RedisGuard.create("queue:" + config.name(), breaker.build(), Ticker.system(), config.meterRegistry());
  }

  /**
   * Opens a connection from {@code client}: one server, or the master a Sentinel URI names.
   *
   * @throws QueueUnavailableException if Redis cannot be reached
   */
  public static RedisStore connect(RedisClient client, QueueConfig config) {
    Check.notNull(client, "client");
    Check.notNull(config, "config");
    return new RedisStore(open(() -> RedisPort.open(client), config), config);
  }

  /**
   * Opens a connection to a Redis Cluster from {@code client}. Notices use classic pub/sub: the scripts
   * {@code PUBLISH}, which the cluster bus carries to a subscriber on any node, on Redis 6.2 as on 7.
   *
   * @throws QueueUnavailableException if Redis cannot be reached
   */
  public static RedisStore connect(RedisClusterClient client, QueueConfig config) {
    Check.notNull(client, "client");
    Check.notNull(config, "config");
    return new RedisStore(open(() -> RedisPort.open(client, RedisPort.PubSubMode.CLASSIC), config), config);
  }

  private static RedisPort open(Supplier<RedisPort> opener, QueueConfig config) {
    try {
      return opener.get();
    } catch (RuntimeException e) {
      RedisErrorKind kind = RedisErrorKind.classify(e);
      if (kind == RedisErrorKind.INTERRUPTED) {
        Thread.currentThread().interrupt();
        throw new QueueInterruptedException("Connecting to Redis for queue " + config.name() + " was interrupted", e);
      }
      throw new QueueUnavailableException(kind == RedisErrorKind.AUTHENTICATION
          ? "Redis authentication failed for queue " + config.name() + " (check the client's user and password): " + e
          : "Cannot connect to Redis for queue " + config.name() + " (" + kind.tag() + "): " + e, e);
    }
  }

  private byte[] clock() {
    return bytes(testClock == null ? -1L : Math.floorDiv(testClock.read(), 1_000_000L));
  }

  /**
   * One Redis call through the guard. What failed decides what the caller gets, by the one classification
   * of {@link RedisErrorKind}: an outage (connection, timeout, loading or busy, authentication) feeds the
   * breaker; a data error (a wrong type, a script error, NOPERM, OOM) fails this call alone and leaves Redis
   * in use for every other call; an interrupt is no Redis failure at all and keeps the thread's flag.
   */
  private <T> T call(String operation, Supplier<T> command) {
    RedisReply<T> reply = guard.attempt(command);
    if (reply instanceof RedisReply.Ok<T> ok) {
      return ok.value();
    }
    if (reply instanceof RedisReply.Failed<T> failed) {
      throw failure(operation, failed.kind(), failed.error());
    }
    throw new QueueUnavailableException("Redis is unavailable for queue " + name + " (circuit open); "
        + operation + " not done", null);
  }

  private RuntimeException failure(String operation, RedisErrorKind kind, Throwable e) {
    if (kind == RedisErrorKind.INTERRUPTED) {
      return new QueueInterruptedException(operation + " for queue " + name + " was interrupted while waiting for Redis"
          + " (it may have been done)", e);
    }
    if (kind == RedisErrorKind.AUTHENTICATION) {
      return new QueueUnavailableException("Redis authentication failed for queue " + name + "; " + operation
          + " not done", e);
    }
    if (kind.isOutage()) {
      return new QueueUnavailableException("Redis did not take " + operation + " for queue " + name + " ("
          + kind.tag() + ")", e);
    }
    return new QueueUnavailableException("Redis refused " + operation + " for queue " + name + " (" + kind.tag()
        + "): this call failed alone, Redis stays in use: " + e.getMessage(), e);
  }

  private <T> T eval(String operation, ScriptOutputType type, byte[]... args) {
    return call(operation, () -> await(port.eval(SCRIPT, type, keys, args), port.commandTimeout()));
  }

  /**
   * {@link #eval} for an enqueue or an ack; with {@link QueueConfig#replicas()} above 0 followed by
   * {@code WAIT} on the same connection (one of the port's own for replicated writes, not the data
   * connection). Returns the reply and whether enough replicas acknowledged.
   */
  private <T> RedisPort.Replicated<T> evalReplicated(String operation, ScriptOutputType type, byte[]... args) {
    if (replicas == 0) {
      return new RedisPort.Replicated<>(eval(operation, type, args), 0);
    }
    return call(operation, () -> await(port.evalAndWait(SCRIPT, type, keys, replicas, replicaTimeout, args),
        port.commandTimeout().plus(replicaTimeout)));
  }

  /** Logs, at most once a minute, that an ack reached fewer replicas than asked (a failover may undo it). */
  private void ackNotReplicated(String operation, long acked) {
    unreplicatedLog.warn("Queue " + name + ": " + operation + " reached " + acked + " of " + replicas
        + " replicas within " + replicaTimeout.toMillis() + " ms; a failover now may run those jobs again"
        + " (delivery is at least once)");
  }

  /**
   * Waits for {@code stage} as Lettuce's synchronous API waits for a command: at most {@code bound}, and an
   * interrupt cancels the command (so one buffered while disconnected is not sent later) and keeps the
   * thread's flag.
   */
  private static <T> T await(CompletionStage<T> stage, Duration bound) {
    CompletableFuture<T> future = stage.toCompletableFuture();
    try {
      return future.get(bound.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      future.cancel(false);
      Thread.currentThread().interrupt();
      throw new RedisCommandInterruptedException(e);
    } catch (TimeoutException e) {
      future.cancel(false);
      throw new RedisCommandTimeoutException("Command timed out after " + bound.toMillis() + " ms");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new RedisException(cause);
    }
  }

  private boolean evalFlag(String operation, byte[]... args) {
    Long result = eval(operation, ScriptOutputType.INTEGER, args);
    return result != null && result == 1L;
  }

  @Override
  public List<String> enqueue(List<NewJob> jobs) {
    byte[][] args = new byte[4 + jobs.size() * 11][];
    args[0] = bytes("enqueue");
    args[1] = clock();
    args[2] = idempotencyMillis;
    args[3] = bytes((long) jobs.size());
    int i = 4;
    for (NewJob j : jobs) {
      Backoff b = j.backoff();
      args[i++] = bytes(j.type());
      args[i++] = j.payload();
      args[i++] = bytes((long) j.priority());
      args[i++] = bytes((long) j.maxAttempts());
      args[i++] = bytes(Check.saturatedNanos(b.initial()));
      args[i++] = bytes(Double.toString(b.multiplier()));
      args[i++] = bytes(Check.saturatedNanos(b.max()));
      args[i++] = bytes(b.jitter().name());
      args[i++] = bytes(j.delayMillis());
      args[i++] = bytes(j.deadlineMillis());
      args[i++] = bytes(j.idempotencyKey() == null ? "" : j.idempotencyKey());
    }
    RedisPort.Replicated<List<Object>> stored = evalReplicated("enqueue", ScriptOutputType.MULTI, args);
    List<Object> out = stored.reply();
    if (stored.replicas() < replicas) {
      throw new QueueUnavailableException("Redis stored " + jobs.size() + " job(s) for queue " + name
          + " but only " + stored.replicas() + " of " + replicas + " replicas acknowledged them within "
          + replicaTimeout.toMillis() + " ms: a failover now could lose them. Enqueue again with the same"
          + " idempotency key to be sure", null);
    }
    List<String> ids = new ArrayList<>(out.size());
    for (Object o : out) {
      ids.add(text(o));
    }
    return ids;
  }

  @Override
  public Claim claim(String type, int max) {
    byte[][] args = new byte[5 + levels][];
    args[0] = bytes("claim");
    args[1] = clock();
    args[2] = bytes(type);
    args[3] = bytes((long) max);
    args[4] = visibilityMillis;
    System.arraycopy(weights, 0, args, 5, levels);
    return claimed(type, eval("claim", ScriptOutputType.MULTI, args), 0);
  }

  @Override
  public AckAndClaim ackAndClaim(List<Ack> acks, String type, int max) {
    int n = acks.size();
    byte[][] args = new byte[7 + 2 * n + levels][];
    args[0] = bytes("ackclaim");
    args[1] = clock();
    args[2] = bytes((long) n);
    int i = 3;
    for (Ack a : acks) {
      args[i++] = bytes(a.id());
      args[i++] = bytes(a.token());
    }
    args[i++] = bytes(type);
    args[i++] = bytes((long) max);
    args[i++] = visibilityMillis;
    System.arraycopy(weights, 0, args, i, levels);
    String operation = max > 0 ? "ack and claim" : "ack";
    RedisPort.Replicated<List<Object>> done =
        n > 0 ? evalReplicated(operation, ScriptOutputType.MULTI, args)
            : new RedisPort.Replicated<>(eval(operation, ScriptOutputType.MULTI, args), replicas);
    if (done.replicas() < replicas) {
      ackNotReplicated(operation, done.replicas());
    }
    List<Object> out = done.reply();
    return new AckAndClaim((int) number(out.get(0)), claimed(type, out, 1));
  }

  /**
   * The entries of a claim's reply, whose first {@code skip} elements are something else: a claimed job
   * (11 fields), or {id, reason} for a job the script dead-lettered as corrupt. A claimed job whose fields
   * the script accepted but this client cannot use (an unknown jitter name, say) is dead-lettered here,
   * alone, under its fencing token.
   */
  private Claim claimed(String type, List<Object> out, int skip) {
    List<ClaimedJob> jobs = new ArrayList<>(out.size() - skip);
    List<Rejected> rejected = new ArrayList<>(0);
    for (int i = skip; i < out.size(); i++) {
      @SuppressWarnings("unchecked")
      List<Object> entry = (List<Object>) out.get(i);
      if (entry.size() != FIELDS_PER_CLAIM) {
        rejected.add(new Rejected(text(entry.get(0)), text(entry.get(1))));
        continue;
      }
      try {
        jobs.add(parseClaimed(type, entry));
      } catch (RuntimeException e) {
        rejectClaimed(text(entry.get(0)), entry.get(10), "corrupt job metadata: " + e.getMessage(), rejected);
      }
    }
    return new Claim(jobs, rejected);
  }

  /**
   * Dead-letters a claimed job the client cannot use. Should Redis refuse or miss that write, the job stays
   * in flight (taken back and judged again after its visibility deadline) and the jobs claimed with it go
   * on: one bad job must never fail its neighbours' claim.
   */
  private void rejectClaimed(String id, Object token, String reason, List<Rejected> rejected) {
    try {
      if (deadLetter(id, number(token), reason)) {
        rejected.add(new Rejected(id, reason));
      }
    } catch (QueueUnavailableException e) {
      // Counted and logged by the guard (an outage once, a data error at most once a minute).
    }
  }

  private static ClaimedJob parseClaimed(String type, List<Object> f) {
    String idem = text(f.get(9));
    Backoff backoff;
    try {
      backoff = new Backoff(Duration.ofNanos(whole(f.get(5), "bi", "backoff initial")),
          Double.parseDouble(text(f.get(6))), Duration.ofNanos(whole(f.get(7), "bx", "backoff max")),
          jitter(text(f.get(8))), null);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("field 'bm' (backoff multiplier) is not a number: " + text(f.get(6)));
    }
    return new ClaimedJob(text(f.get(0)), type, (byte[]) f.get(1), (int) whole(f.get(2), "pr", "priority"),
        (int) number(f.get(3)), number(f.get(10)), (int) Math.min(Integer.MAX_VALUE, whole(f.get(4), "m", "max attempts")),
        backoff, idem.isEmpty() ? null : idem);
  }

  private static long whole(Object value, String field, String meaning) {
    try {
      return value instanceof Long l ? l : Long.parseLong(text(value));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("field '" + field + "' (" + meaning + ") is not a whole number: " + text(value));
    }
  }

  private static Jitter jitter(String name) {
    try {
      return Jitter.valueOf(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("field 'bj' (backoff jitter) is '" + name + "', not one of "
          + java.util.Arrays.toString(Jitter.values()));
    }
  }

  @Override
  public boolean ack(String id, long token) {
    RedisPort.Replicated<Long> done =
        evalReplicated("ack", ScriptOutputType.INTEGER, bytes("ack"), clock(), bytes(id), bytes(token));
    if (done.replicas() < replicas) {
      ackNotReplicated("ack", done.replicas());
    }
    return done.reply() != null && done.reply() == 1L;
  }

  @Override
  public boolean retry(String id, long token, long delayMillis, String error, boolean refund) {
    return evalFlag("retry", bytes("retry"), clock(), bytes(id), bytes(token), bytes(delayMillis),
        bytes(error), bytes(refund ? "1" : "0"));
  }

  @Override
  public boolean deadLetter(String id, long token, String reason) {
    return evalFlag("dead-letter", bytes("dead"), clock(), bytes(id), bytes(token), bytes(reason));
  }

  @Override
  public boolean extend(String id, long token, long millis) {
    return evalFlag("extend", bytes("extend"), clock(), bytes(id), bytes(token), bytes(millis));
  }

  @Override
  public List<DeadLetter> listDead(int limit) {
    List<Object> out = eval("list dead letters", ScriptOutputType.MULTI, bytes("listdead"), clock(),
        bytes((long) limit));
    List<DeadLetter> dead = new ArrayList<>();
    for (int i = 0; i + FIELDS_PER_DEAD <= out.size(); i += FIELDS_PER_DEAD) {
      dead.add(new DeadLetter(text(out.get(i)), text(out.get(i + 1)), (int) number(out.get(i + 2)),
          text(out.get(i + 3)), number(out.get(i + 4)), (byte[]) out.get(i + 5)));
    }
    return dead;
  }

  @Override
  public boolean requeueDead(String id) {
    return evalFlag("requeue", bytes("requeue"), clock(), bytes(id), bytes((long) levels));
  }

  @Override
  public long purgeDead() {
    long total = 0;
    while (true) {
      Long n = eval("purge", ScriptOutputType.INTEGER, bytes("purge"), clock());
      total += n;
      if (n == 0) {
        return total;
      }
    }
  }

  @Override
  public QueueStats stats() {
    List<Object> out = eval("stats", ScriptOutputType.MULTI, bytes("stats"), clock(), bytes((long) levels));
    List<Long> ready = new ArrayList<>(levels);
    for (int p = 0; p < levels; p++) {
      ready.add(number(out.get(p)));
    }
    return new QueueStats(ready, number(out.get(levels)), number(out.get(levels + 1)), number(out.get(levels + 2)),
        number(out.get(levels + 3)));
  }

  /**
   * Subscribes to the queue's channel {@code KEYS[1]:ready}, on which the scripts publish a job type's name
   * when its jobs become ready. The port's second connection, because a subscribed one can send nothing
   * else; Lettuce subscribes again after a reconnect (on a cluster a classic subscription lives on one node
   * and comes back with it). Should the subscription fail (an ACL without the channel, Redis down just
   * now), the poll alone finds the jobs, as it does for notices lost while the subscription was down.
   */
  @Override
  public void onReady(Consumer<String> listener) {
    byte[] channel = bytes(new String(keys[0], StandardCharsets.UTF_8) + ":ready");
    try {
      notices = port.subscribe(channel, new RedisPort.Listener() {
        @Override
        public void onMessage(byte[] type) {
          listener.accept(new String(type, StandardCharsets.UTF_8));
        }

        @Override
        public void onResubscribed() {
          // Notices sent while the subscription was down are lost; the poll finds those jobs.
        }
      });
    } catch (RuntimeException e) {
      log.warn("Queue {}: no subscription to notices of jobs enqueued elsewhere ({}); idle workers find them at"
          + " their next poll", name, e.toString());
    }
  }

  @Override
  public void close() {
    guard.close();
    RedisPort.Subscription subscription = notices;
    if (subscription != null) {
      subscription.close();
    }
    port.close();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] bytes(long n) {
    return Long.toString(n).getBytes(StandardCharsets.US_ASCII);
  }

  private static String text(Object o) {
    if (o instanceof byte[] b) {
      return new String(b, StandardCharsets.UTF_8);
    }
    return String.valueOf(o);
  }

  private static long number(Object o) {
    if (o instanceof Long l) {
      return l;
    }
    return (long) Double.parseDouble(text(o));
  }
}
