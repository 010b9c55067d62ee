package dev.ballast.queue.internal;

import dev.ballast.core.Backoff;
import dev.ballast.core.Ticker;
import dev.ballast.queue.DeadLetter;
import dev.ballast.queue.QueueConfig;
import dev.ballast.queue.QueueStats;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The embedded backend: the same state machine as the Redis scripts, in this JVM's memory.
 *
 * <p>Design note: all state (jobs, ready lanes, delayed and in-flight sets, dead letters, idempotency keys)
 * is guarded by the one monitor of this object; every method is one short critical section, like one Lua
 * script on Redis. A job's sort key is only changed while the job is out of the sorted set that uses it.
 * Everything is lost when the JVM stops.
 */
public final class InMemoryStore implements QueueStore {

  private static final Comparator<Mem> BY_TIME = Comparator.<Mem>comparingLong(m -> m.sortAt).thenComparingLong(m -> m.seq);

  private final Ticker ticker;
  private final int[] weights;
  private final long visibilityMillis;
  private final long idempotencyMillis;
  private final Map<String, Mem> jobs = new HashMap<>();
  private final Map<String, Lanes> ready = new HashMap<>();
  private final TreeSet<Mem> delayed = new TreeSet<>(BY_TIME);
  private final TreeSet<Mem> inFlight = new TreeSet<>(BY_TIME);
  private final LinkedHashMap<String, Mem> dead = new LinkedHashMap<>();
  private final Map<String, Idem> idempotency = new HashMap<>();
  private long seq;
  private long claims;
  private int idemInsertsSinceSweep;

  private enum State { READY, DELAYED, IN_FLIGHT, DEAD }

  private static final class Mem {
    final String id;
    final String type;
    final byte[] payload;
    final int priority;
    final int maxAttempts;
    final Backoff backoff;
    final String idem;
    final long deadlineAt;
    final long seq;
    int attempts;
    long token;
    State state;
    long sortAt;
    long readyAt;
    String lastError = "";
    long deadAt;

    Mem(String id, NewJob j, long deadlineAt, long seq) {
      this.id = id;
      this.type = j.type();
      this.payload = j.payload();
      this.priority = j.priority();
      this.maxAttempts = j.maxAttempts();
      this.backoff = j.backoff();
      this.idem = j.idempotencyKey();
      this.deadlineAt = deadlineAt;
      this.seq = seq;
    }
  }

  private record Idem(String id, long expiresAt) {}

  private final class Lanes {
    final ArrayDeque<Mem>[] byPriority;
    final WeightedRoundRobin picker = new WeightedRoundRobin(weights);
    final boolean[] nonEmpty = new boolean[weights.length];

    @SuppressWarnings("unchecked")
    Lanes() {
      byPriority = new ArrayDeque[weights.length];
      for (int p = 0; p < weights.length; p++) {
        byPriority[p] = new ArrayDeque<>();
      }
    }

    Mem poll() {
      for (int p = 0; p < nonEmpty.length; p++) {
        nonEmpty[p] = !byPriority[p].isEmpty();
      }
      int p = picker.pick(nonEmpty);
      return p < 0 ? null : byPriority[p].poll();
    }
  }

  public InMemoryStore(QueueConfig config) {
    this.ticker = config.ticker() != null ? config.ticker() : Ticker.system();
    this.weights = config.priorityWeights().stream().mapToInt(Integer::intValue).toArray();
    this.visibilityMillis = config.visibilityTimeout().toMillis();
    this.idempotencyMillis = config.idempotencyWindow().toMillis();
  }

  private long now() {
    return Math.floorDiv(ticker.read(), 1_000_000L);
  }

  @Override
  public synchronized List<String> enqueue(List<NewJob> batch) {
    long now = now();
    List<String> ids = new ArrayList<>(batch.size());
    for (NewJob j : batch) {
      if (j.idempotencyKey() != null) {
        Idem known = idempotency.get(j.idempotencyKey());
        if (known != null && known.expiresAt > now) {
          ids.add(known.id);
          continue;
        }
      }
      long n = ++seq;
      String id = Long.toString(n);
      Mem m = new Mem(id, j, j.deadlineMillis() > 0 ? now + j.deadlineMillis() : Long.MAX_VALUE, n);
      jobs.put(id, m);
      if (j.idempotencyKey() != null) {
        idempotency.put(j.idempotencyKey(), new Idem(id, now + idempotencyMillis));
        sweepIdempotency(now);
      }
      if (j.delayMillis() > 0) {
        toDelayed(m, now + j.delayMillis());
      } else {
        toReady(m, now);
      }
      ids.add(id);
    }
    return ids;
  }

  private void sweepIdempotency(long now) {
    if (++idemInsertsSinceSweep < 4096) {
      return;
    }
    idemInsertsSinceSweep = 0;
    idempotency.values().removeIf(i -> i.expiresAt <= now);
  }

  private void toReady(Mem m, long now) {
    m.state = State.READY;
    m.readyAt = now;
    ready.computeIfAbsent(m.type, t -> new Lanes()).byPriority[m.priority].add(m);
  }

  private void toDelayed(Mem m, long at) {
    m.state = State.DELAYED;
    m.sortAt = at;
    delayed.add(m);
  }

  private void toDead(Mem m, long now, String reason) {
    m.state = State.DEAD;
    m.lastError = reason;
    m.deadAt = now;
    dead.put(m.id, m);
  }

  @Override
  public synchronized Claim claim(String type, int max) {
    return new Claim(claimJobs(type, max), List.of()); // Java objects in memory cannot be corrupt
  }

  private List<ClaimedJob> claimJobs(String type, int max) {
    long now = now();
    promoteAndReclaim(now);
    Lanes lanes = ready.get(type);
    if (lanes == null) {
      return List.of();
    }
    List<ClaimedJob> claimed = new ArrayList<>(Math.min(max, 64));
    while (claimed.size() < max) {
      Mem m = lanes.poll();
      if (m == null) {
        break;
      }
      if (now > m.deadlineAt) {
        toDead(m, now, "deadline passed before the job started");
        continue;
      }
      m.attempts++;
      m.token = ++claims;
      m.state = State.IN_FLIGHT;
      m.sortAt = now + visibilityMillis;
      inFlight.add(m);
      claimed.add(new ClaimedJob(m.id, m.type, m.payload, m.priority, m.attempts, m.token, m.maxAttempts, m.backoff,
          m.idem));
    }
    return claimed;
  }

  private void promoteAndReclaim(long now) {
    for (Iterator<Mem> it = delayed.iterator(); it.hasNext(); ) {
      Mem m = it.next();
      if (m.sortAt > now) {
        break;
      }
      it.remove();
      toReady(m, now);
    }
    for (Iterator<Mem> it = inFlight.iterator(); it.hasNext(); ) {
      Mem m = it.next();
      if (m.sortAt > now) {
        break;
      }
      it.remove();
      if (m.attempts >= m.maxAttempts) {
        toDead(m, now, "visibility deadline passed on the last attempt (worker died or hung)");
      } else {
        m.lastError = "visibility deadline passed (worker died or hung)";
        toReady(m, now);
      }
    }
  }

  /** The job if {@code token} is its current in-flight claim, removed from the in-flight set. */
  private Mem takeInFlight(String id, long token) {
    Mem m = jobs.get(id);
    if (m == null || m.state != State.IN_FLIGHT || m.token != token) {
      return null;
    }
    inFlight.remove(m);
    return m;
  }

  @Override
  public synchronized boolean ack(String id, long token) {
    Mem m = takeInFlight(id, token);
    if (m == null) {
      return false;
    }
    jobs.remove(id);
    return true;
  }

  @Override
  public synchronized AckAndClaim ackAndClaim(List<Ack> acks, String type, int max) {
    int acked = 0;
    for (Ack a : acks) {
      if (ack(a.id(), a.token())) {
        acked++;
      }
    }
    return new AckAndClaim(acked, max > 0 ? claim(type, max) : Claim.NONE);
  }

  @Override
  public synchronized boolean retry(String id, long token, long delayMillis, String error, boolean refund) {
    Mem m = takeInFlight(id, token);
    if (m == null) {
      return false;
    }
    long now = now();
    if (refund) {
      m.attempts--;
    } else {
      m.lastError = error;
    }
    if (delayMillis > 0) {
      toDelayed(m, now + delayMillis);
    } else {
      toReady(m, now);
    }
    return true;
  }

  @Override
  public synchronized boolean deadLetter(String id, long token, String reason) {
    Mem m = takeInFlight(id, token);
    if (m == null) {
      return false;
    }
    toDead(m, now(), reason);
    return true;
  }

  @Override
  public synchronized boolean extend(String id, long token, long millis) {
    Mem m = takeInFlight(id, token);
    if (m == null) {
      return false;
    }
    m.sortAt = now() + millis;
    inFlight.add(m);
    return true;
  }

  @Override
  public synchronized List<DeadLetter> listDead(int limit) {
    List<DeadLetter> out = new ArrayList<>();
    for (Mem m : dead.values()) {
      if (out.size() >= limit) {
        break;
      }
      out.add(new DeadLetter(m.id, m.type, m.attempts, m.lastError, m.deadAt, m.payload));
    }
    return out;
  }

  @Override
  public synchronized boolean requeueDead(String id) {
    Mem m = dead.remove(id);
    if (m == null) {
      return false;
    }
    m.attempts = 0;
    toReady(m, now());
    return true;
  }

  @Override
  public synchronized long purgeDead() {
    long n = dead.size();
    for (String id : dead.keySet()) {
      jobs.remove(id);
    }
    dead.clear();
    return n;
  }

  @Override
  public synchronized QueueStats stats() {
    long now = now();
    Long[] byPriority = new Long[weights.length];
    java.util.Arrays.fill(byPriority, 0L);
    long oldest = Long.MAX_VALUE;
    for (Lanes lanes : ready.values()) {
      for (int p = 0; p < weights.length; p++) {
        byPriority[p] += lanes.byPriority[p].size();
        Mem head = lanes.byPriority[p].peek();
        if (head != null) {
          oldest = Math.min(oldest, head.readyAt);
        }
      }
    }
    return new QueueStats(List.of(byPriority), delayed.size(), inFlight.size(), dead.size(),
        oldest == Long.MAX_VALUE ? 0 : Math.max(0, now - oldest));
  }

  @Override
  public void close() {}
}
