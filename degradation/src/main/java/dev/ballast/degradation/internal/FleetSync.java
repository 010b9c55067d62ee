package dev.ballast.degradation.internal;

import dev.ballast.degradation.Switch;
import dev.ballast.degradation.Switchboard;
import dev.ballast.redis.RedisGuard;
import io.lettuce.core.RedisClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link BoardState} in step with the fleet state in Redis: writes go through the Lua script
 * (and wait in {@code pending} when Redis does not answer), broadcasts are applied as they come, and the
 * whole state is re-read when the subscription is re-established, when a broadcast was missed, after an
 * outage (once the pending writes are written) and on the slow periodic check.
 *
 * <p>Design: re-reads run one at a time under {@code syncLock}, on the switchboard's own thread or on a
 * caller of {@link Switchboard#refresh()}; Lettuce I/O threads only apply broadcasts (a short critical
 * section in {@link BoardState}) and ask for re-reads, never block. {@code syncQueued} coalesces requests
 * for a re-read. Redis calls never run while holding the state's monitor.
 *
 * <p>Leases: a fleet trigger's entry ({@code auto:...}) is written with a lease, an expiry in Redis time
 * kept beside the state. Its instance renews all of them in one script call ({@link #renew}, on the lease
 * thread, under the trigger runner's fleet lock, so a renewal never races a trigger's own flip) by setting
 * the unchanged entries again, which the script turns into lease updates: no version, no broadcast. Any instance that sees trigger entries
 * prunes ({@link #pruneLapsed}): one script deletes the lapsed ones and broadcasts each deletion like any
 * other, so every instance drops them through the usual path; no instance compares clocks. An instance
 * deletes only once Redis has answered it for a whole lease: after an outage, when every lease has
 * lapsed, each live owner gets that long to renew before its entry is taken for a dead instance's.
 */
final class FleetSync implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Switchboard.class);
  static final Duration RETRY = Duration.ofMillis(500);

  private final String board;
  private final String instanceId;
  private final BoardState state;
  private final ScheduledExecutorService executor;
  private final BoardConfig config;
  private final RedisClient client;
  private final RedisGuard guard;
  private final long leaseMillis;
  private volatile RedisFleet redis; // null until connected: Redis may be down when the switchboard starts
  private final Object syncLock = new Object();
  private final AtomicBoolean syncQueued = new AtomicBoolean();
  private volatile boolean closed;

  FleetSync(BoardConfig config, RedisClient client, RedisGuard guard, BoardState state,
      ScheduledExecutorService executor) {
    this.board = config.name();
    this.instanceId = config.instanceId();
    this.state = state;
    this.executor = executor;
    this.config = config;
    this.client = client;
    this.guard = guard;
    this.leaseMillis = config.fleetTriggerLease().toMillis();
    try {
      this.redis = connect();
    } catch (RuntimeException e) {
      log.warn("switchboard {}: Redis is unreachable at start ({}); running on local state and connecting in the "
          + "background", board, String.valueOf(e));
    }
  }

  private RedisFleet connect() {
    return new RedisFleet(client, config.keyPrefix(), config.name(), config.redisTimeout(), guard,
        new RedisFleet.Events() {
          @Override
          public void onBroadcast(String message) {
            if (state.applyBroadcast(message)) {
              requestSync(Duration.ZERO);
            }
          }

          @Override
          public void onSubscribed() {
            requestSync(Duration.ZERO);
          }
        });
  }

  /**
   * The port, connecting first if the switchboard started while Redis was down; null if still unreachable.
   * Runs on the switchboard's thread (or a caller of refresh) under {@code syncLock}; a refused
   * connection fails at once, a black-holed one after the client's connect timeout.
   */
  private RedisFleet connected() {
    RedisFleet port = redis;
    if (port != null || closed) {
      return port;
    }
    try {
      port = connect();
    } catch (RuntimeException stillDown) {
      return null;
    }
    redis = port;
    log.info("switchboard {}: connected to Redis", board);
    return port;
  }

  /** Sets ({@code entry} non-null) or deletes {@code field} fleet-wide; applies here at once either way. */
  void write(String field, Entry entry) {
    Op op = new Op(field, entry);
    if (state.queueBehindPending(op)) {
      requestSync(RETRY); // keep the order of writes: this one goes after those still waiting for Redis
      return;
    }
    RedisFleet port = redis;
    RedisFleet.Written written = port == null ? null : send(port, op);
    if (written == null) {
      state.addPending(op);
      requestSync(RETRY);
    } else if (state.applyWritten(field, written)) {
      requestSync(Duration.ZERO);
    }
  }

  private RedisFleet.Written send(RedisFleet port, Op op) {
    if (op.entry() == null) {
      return port.delete(op.field());
    }
    // Only fleet triggers' entries are leased: an operator's setting or mode stays until released.
    long lease = op.entry().origin() == Switch.Origin.AUTOMATIC ? leaseMillis : 0;
    return port.set(op.field(), EntryCodec.encodeTail(op.entry()), lease);
  }

  /**
   * Renews the leases of this instance's engaged fleet trigger entries ({@code engaged}, field to entry) in
   * one script call, so a renewal costs one round trip however many triggers are engaged: only the leases
   * change, unless an entry is gone from Redis (pruned while this instance could not reach it, or the state
   * was lost), in which case it is written and broadcast afresh. Skipped while Redis does not answer or an
   * outage's writes still wait: those go first, then renewals resume.
   */
  void renew(Map<String, Entry> engaged) {
    RedisFleet port = redis;
    if (engaged.isEmpty() || port == null || state.hasPending()) {
      return;
    }
    Map<String, String> tails = new LinkedHashMap<>();
    engaged.forEach((field, entry) -> tails.put(field, EntryCodec.encodeTail(entry)));
    List<RedisFleet.Written> written = port.renew(tails, leaseMillis);
    if (written == null) {
      return;
    }
    boolean missed = false;
    int i = 0;
    for (String field : tails.keySet()) {
      missed |= state.applyWritten(field, written.get(i++));
    }
    if (missed) {
      requestSync(Duration.ZERO);
    }
  }

  /**
   * Ends trigger entries whose lease lapsed (broadcast, so every instance drops them). A no-op unless this
   * instance sees a trigger entry; until Redis has answered it for a whole lease (after it started, after
   * an outage) the call only hands leases to entries without one: it still runs, so that its successes
   * start that clock.
   */
  void pruneLapsed() {
    RedisFleet port = redis;
    if (port == null || !state.hasFleetTriggerEntries()) {
      return;
    }
    List<String> removed = port.prune(leaseMillis, port.answeredFor(leaseMillis * 1_000_000L));
    if (removed != null) {
      removed.forEach(field -> log.info("switchboard {}: {} ended: its lease lapsed, its instance stopped renewing it",
          board, field));
    }
  }

  /** Asks for a re-read after {@code delay} on the switchboard's thread; requests made meanwhile coalesce. */
  void requestSync(Duration delay) {
    if (closed || !syncQueued.compareAndSet(false, true)) {
      return;
    }
    try {
      executor.schedule(() -> {
        syncQueued.set(false);
        try {
          refresh();
        } catch (RuntimeException e) {
          log.warn("switchboard {}: re-reading the state from Redis failed; trying again", board, e);
          requestSync(RETRY);
        }
      }, delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException shuttingDown) {
      syncQueued.set(false);
    }
  }

  /**
   * Writes back what Redis lost, writes what an outage held back, then reads the whole state. When Redis
   * does not answer it tries again after {@link #RETRY}.
   */
  void refresh() {
    synchronized (syncLock) {
      RedisFleet port = connected();
      Map<String, String> found = port == null ? null : port.readAll();
      if (found == null) {
        requestSync(RETRY);
        return;
      }
      List<Op> pending = state.pending();
      List<Op> toWrite = new ArrayList<>(state.lostEntries(found, this::isOurs));
      toWrite.addAll(pending);
      if (!toWrite.isEmpty()) {
        for (Op op : toWrite) {
          if (send(port, op) == null) {
            requestSync(RETRY);
            return;
          }
        }
        state.dropPending(pending.size());
        if (!pending.isEmpty()) {
          log.info("switchboard {}: wrote {} changes made during the Redis outage", board, pending.size());
        }
        found = port.readAll();
        if (found == null) {
          requestSync(RETRY);
          return;
        }
      }
      if (!state.applyState(found)) {
        requestSync(RETRY);
      }
    }
  }

  /**
   * Whether to write {@code e} back after Redis lost the state: manual entries and modes yes, trigger
   * entries only this instance's own (another instance's trigger may have disengaged meanwhile; that
   * instance writes back its own).
   */
  private boolean isOurs(Entry e) {
    return e.origin() != Switch.Origin.AUTOMATIC || e.field().endsWith("@" + instanceId);
  }

  /** Deletes {@code fields} (best effort, one try each) and closes the connections. */
  void close(List<String> fields) {
    closed = true;
    guard.close();
    RedisFleet port;
    synchronized (syncLock) { // no connect may slip in after this
      port = redis;
    }
    if (port == null) {
      return;
    }
    try {
      fields.forEach(port::delete);
    } finally {
      port.close();
    }
  }

  @Override
  public void close() {
    close(List.of());
  }
}
