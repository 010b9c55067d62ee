package dev.ballast.degradation.internal;

import dev.ballast.degradation.Switch;
import dev.ballast.degradation.Switchboard;
import dev.ballast.redis.RedisGuard;
import dev.ballast.redis.internal.port.RedisPort;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a {@link BoardState} in step with the fleet state in Redis: writes go through the Lua script
 * (and wait in {@code pending} when Redis does not answer), broadcasts are applied as they come, and the
 * whole state is re-read when the subscription is re-established, when a broadcast was missed, after an
 * outage (once the pending writes are written), every {@link #RETRY} while the subscription's connection
 * is down (the port said it dropped and has not resubscribed yet: on a 6.2 cluster a classic subscription
 * waits for its node to come back, which may take much longer than the failover) and on the slow periodic
 * check.
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
  private final Supplier<RedisPort> opener;
  private final RedisGuard guard;
  private final long leaseMillis;
  private volatile RedisFleet redis; // null until connected: Redis may be down when the switchboard starts
  /** Held by the re-read in progress; others wait for it at most the Redis timeout. */
  private final ReentrantLock syncLock = new ReentrantLock();
  private final Runnable renewNow;
  private boolean askedForSync; // under syncLock: a sync request was sent for the lost state just read
  private final AtomicBoolean syncQueued = new AtomicBoolean();
  /** The port said the subscription's connection dropped and has not resubscribed since: poll. */
  private final AtomicBoolean unsubscribed = new AtomicBoolean();
  private volatile boolean closed;
  /** The last one-shot re-read scheduled ({@link #requestSync}; they coalesce, so at most one is pending). */
  private volatile @Nullable ScheduledFuture<?> queuedSync;

  /**
   * @param renewNow renews this instance's engaged fleet trigger entries (writing afresh any Redis lost)
   */
  FleetSync(BoardConfig config, Supplier<RedisPort> opener, RedisGuard guard, BoardState state,
      ScheduledExecutorService executor, Runnable renewNow) {
    this.renewNow = renewNow;
    this.board = config.name();
    this.instanceId = config.instanceId();
    this.state = state;
    this.executor = executor;
    this.config = config;
    this.opener = opener;
    this.guard = guard;
    this.leaseMillis = config.fleetTriggerLease().toMillis();
  }

  /**
   * Connects and subscribes (the switchboard's {@code start}, not its constructor: broadcasts may arrive
   * from here on). If Redis cannot be reached, logs that once and leaves the connect to the re-reads.
   */
  void start() {
    try {
      this.redis = connect();
    } catch (RuntimeException e) {
      log.warn("switchboard {}: Redis is unreachable at start ({}); running on local state and connecting in the "
          + "background", board, String.valueOf(e));
    }
  }

  private RedisFleet connect() {
    return new RedisFleet(opener, config.keyPrefix(), config.name(), config.redisTimeout(), guard,
        new RedisFleet.Events() {
          @Override
          public void onBroadcast(String message) {
            if (state.applyBroadcast(message)) {
              requestSync(Duration.ZERO);
            }
          }

          @Override
          public void onSubscribed() {
            if (unsubscribed.compareAndSet(true, false)) {
              log.info("switchboard {}: subscribed again; re-reading the state", board);
            }
            requestSync(Duration.ZERO);
          }

          @Override
          public void onSubscriptionLost() {
            if (unsubscribed.compareAndSet(false, true)) {
              log.warn("switchboard {}: its subscription may be lost (its connection dropped or its node failed); re-reading the state every {}"
                  + " until it is back", board, RETRY);
            }
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
    if (closed) { // close() ran while this connected: it did not see the port, so close it here
      port.close();
      return null;
    }
    redis = port;
    log.info("switchboard {}: connected to Redis", board);
    return port;
  }

  /**
   * Sets ({@code op.entry()} non-null) or deletes {@code op.field()} fleet-wide; applies here at once either
   * way. Waits for Redis at most the Redis timeout; an interrupted caller stops waiting (its flag kept) and
   * the write is queued as in an outage.
   */
  void write(Op op) {
    if (state.queueBehindPending(op)) {
      requestSync(RETRY); // keep the order of writes: this one goes after those still waiting for Redis
      return;
    }
    RedisFleet port = redis;
    RedisFleet.Written written = port == null ? null : send(port, op);
    if (written == null) {
      state.addPending(op);
      requestSync(RETRY);
    } else if (state.applyWritten(op.field(), written)) {
      requestSync(Duration.ZERO);
    }
  }

  private RedisFleet.Written send(RedisFleet port, Op op) {
    // Only fleet triggers' entries are leased: an operator's setting or mode stays until released.
    long lease = op.entry() != null && op.entry().origin() == Switch.Origin.AUTOMATIC ? leaseMillis : 0;
    RedisFleet.Written written = port.write(op, lease);
    if (written != null && !written.clock().equals(op.clock())) {
      log.info("switchboard {}: {} of {} (clock {}) was not applied: a newer change (clock {}) stands", board,
          op.entry() == null ? "the release" : "the change", op.field(), op.clock(), written.clock());
    }
    return written;
  }

  /**
   * Renews the leases of this instance's engaged fleet trigger entries ({@code engaged}, field to entry) in
   * one script call, so a renewal costs one round trip however many triggers are engaged: only the leases
   * change, unless an entry is gone from Redis (pruned while this instance could not reach it, or the state
   * was lost), in which case it is written and broadcast afresh. Skipped while Redis does not answer or an
   * outage's writes still wait: those go first, then renewals resume.
   */
  void renew(List<Op> engaged) {
    RedisFleet port = redis;
    if (engaged.isEmpty() || port == null || state.hasPending()) {
      return;
    }
    List<RedisFleet.Written> written = port.renew(engaged, leaseMillis);
    if (written == null) {
      return;
    }
    boolean missed = false;
    for (int i = 0; i < engaged.size(); i++) {
      missed |= state.applyWritten(engaged.get(i).field(), written.get(i));
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
    if (removed == null) {
      repairWrongTypes(port); // the leases key overwritten with another type: no other call repairs it
    } else {
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
      queuedSync = executor.schedule(() -> {
        syncQueued.set(false);
        if (closed) {
          return; // an application's scheduler outlives the switchboard: a re-read queued before close is void
        }
        try {
          refresh();
        } catch (RuntimeException e) {
          log.warn("switchboard {}: re-reading the state from Redis failed; trying again", board, e);
          requestSync(RETRY);
        }
      }, delay.toNanos(), TimeUnit.NANOSECONDS);
      if (closed) {
        queuedSync.cancel(false); // close() ran while this was scheduling and may not have seen it
      }
    } catch (RejectedExecutionException shuttingDown) {
      syncQueued.set(false);
    }
  }

  /**
   * Writes back what Redis lost or holds older than this instance knows, writes what an outage held back,
   * repairs corrupt fields, then reads the whole state. When Redis does not answer it tries again after
   * {@link #RETRY}. Waits at most the Redis timeout for a re-read already in progress (which does the job;
   * another is queued); an interrupted caller returns at once with its flag kept.
   */
  void refresh() {
    try {
      if (!syncLock.tryLock(config.redisTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
        requestSync(Duration.ZERO);
        return;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    try {
      sync();
    } finally {
      syncLock.unlock();
    }
    if (unsubscribed.get()) {
      requestSync(RETRY); // broadcasts are not heard: the next re-read is the only news (coalesces with a retry)
    }
  }

  private void sync() {
    RedisFleet port = connected();
    RedisFleet.State found = port == null ? null : port.readAll();
    if (found == null) {
      failed(port);
      return;
    }
    boolean lost = state.isLost(found);
    boolean lostOrEmpty = lost || !found.hash().containsKey(RedisFleet.EPOCH_FIELD);
    List<Op> pending = state.pending();
    List<Op> toWrite = new ArrayList<>(state.newerThan(found, FleetSync::isOurs));
    toWrite.addAll(pending);
    if (!toWrite.isEmpty()) {
      for (Op op : toWrite) {
        if (send(port, op) == null) {
          failed(port);
          return;
        }
      }
      state.dropPending(pending.size());
      if (!pending.isEmpty()) {
        log.info("switchboard {}: wrote {} changes made during the Redis outage", board, pending.size());
      }
      found = port.readAll();
      if (found == null) {
        failed(port);
        return;
      }
    }
    if (lostOrEmpty && !askedForSync) {
      // Redis lost the state (or never had it): every instance that knows something writes it back now,
      // rather than at its next periodic re-read, so that a new instance does not show the wrong state.
      askedForSync = port.requestSync(instanceId);
    } else if (!lostOrEmpty) {
      askedForSync = false;
    }
    BoardState.ReadOutcome outcome = state.applyState(found);
    if (lost) {
      renewNow.run(); // this instance's engaged fleet triggers, written afresh now, not at the next renewal
    }
    if (!outcome.corrupt().isEmpty()) {
      repair(port, outcome.corrupt());
    }
    if (!outcome.complete()) {
      retryUnlessInterrupted();
    }
  }

  /**
   * Deletes corrupt fields (a corrupt version: starts a new epoch), each only if it still holds the value
   * read, broadcast like any change: the fleet's writes go on, and every instance shows the field absent.
   */
  private void repair(RedisFleet port, Map<String, String> corrupt) {
    corrupt.forEach((field, value) -> {
      if (port.repair(field, value) != null) {
        log.warn("switchboard {}: removed the corrupt {} '{}' from Redis", board, field, value);
      }
    });
    requestSync(Duration.ZERO); // read what the repair made
  }

  /**
   * A call of this re-read failed: if it met one of the switchboard's keys holding another type
   * ({@code WRONGTYPE}: overwritten by hand or by another program), that key is deleted like corrupt data,
   * which the fleet then refills by writing back what it knows; then the re-read is tried again.
   */
  private void failed(RedisFleet port) {
    repairWrongTypes(port);
    retryUnlessInterrupted();
  }

  private void repairWrongTypes(RedisFleet port) {
    if (port != null && port.metWrongType() && !Thread.currentThread().isInterrupted()) {
      List<String> deleted = port.repairTypes();
      if (deleted != null && !deleted.isEmpty()) {
        state.corruptFound("wrong type " + deleted, "keys of another type than a hash " + deleted
            + " (deleted from Redis; the fleet writes back what it knows)");
      }
    }
  }

  private void retryUnlessInterrupted() {
    if (!Thread.currentThread().isInterrupted()) {
      requestSync(RETRY);
    }
  }

  /**
   * Whether to write {@code field} back from what this instance knows: manual entries and modes yes,
   * trigger entries never. Another instance's trigger may have disengaged meanwhile; this instance's own
   * are written back by a renewal from the trigger's current state ({@code renewNow}), never from a read
   * that may predate their disengagement (a deleted trigger entry leaves no tombstone).
   */
  private static boolean isOurs(String field) {
    return !field.startsWith(Entry.AUTO);
  }

  /**
   * Writes the changes an outage held back (within one Redis timeout in all), deletes {@code fields} (best
   * effort, one try each) and closes the connections. Held-back changes Redis does not take by then are
   * logged (WARN, with their number): they applied on this instance only.
   */
  void close(List<String> fields) {
    closed = true; // a connect in progress closes its port itself (see connected())
    ScheduledFuture<?> queued = queuedSync;
    if (queued != null) {
      queued.cancel(false); // an application's scheduler outlives the board: leave none of its tasks in it
    }
    RedisFleet port = redis;
    try {
      flushPending(port);
      if (port != null) {
        for (String field : fields) {
          port.write(new Op(field, null, state.nextClock()), 0); // each waits at most the Redis timeout
        }
      }
    } finally {
      guard.close();
      if (port != null) {
        port.close();
      }
    }
  }

  /** The last try to write what an outage held back: bounded by one Redis timeout; what is left is logged. */
  private void flushPending(RedisFleet port) {
    List<Op> pending = state.pending();
    if (pending.isEmpty()) {
      return;
    }
    long deadline = System.nanoTime() + config.redisTimeout().toNanos();
    int written = 0;
    boolean locked = false;
    try {
      // A re-read in progress on the switchboard's thread may be writing them too: not both at once.
      locked = port != null && syncLock.tryLock(config.redisTimeout().toNanos(), TimeUnit.NANOSECONDS);
      if (locked) {
        List<Op> still = state.pending();
        for (Op op : still) {
          if (System.nanoTime() - deadline > 0 || send(port, op) == null) {
            break;
          }
          written++;
        }
        state.dropPending(written);
        pending = still;
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      if (locked) {
        syncLock.unlock();
      }
    }
    if (written < pending.size()) {
      log.warn("switchboard {}: closed with {} changes that Redis did not take (made while it did not answer);"
          + " they applied on this instance only", board, pending.size() - written);
    } else {
      log.info("switchboard {}: wrote {} changes made during the Redis outage on close", board, written);
    }
  }

  @Override
  public void close() {
    close(List.of());
  }
}
