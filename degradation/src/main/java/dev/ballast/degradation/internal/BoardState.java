package dev.ballast.degradation.internal;

import dev.ballast.degradation.Switch;
import dev.ballast.degradation.SwitchName;
import dev.ballast.degradation.Switchboard;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entries in force and the {@link Snapshot} made of them.
 *
 * <p>Design: readers see one immutable snapshot through a volatile field and never lock. Everything else
 * is guarded by this object's monitor: the fleet entries as last read or broadcast from Redis with their
 * version and epoch (without Redis, the manual entries), the writes an outage held back ({@code pending},
 * applied over the fleet entries in order), and the entries of engaged local triggers. Every mutation
 * recomputes the snapshot ({@link Resolver}, a pure function), publishes it, then reports each changed
 * switch while still holding the monitor, so reports come in the order of the changes. Nothing here
 * calls Redis.
 */
final class BoardState {

  private static final Logger log = LoggerFactory.getLogger(Switchboard.class);
  private static final int MAX_REPORTED_CORRUPT = 1_000;
  private static final int MAX_RECENT = 10_000;

  private final String board;
  private final Set<String> declared;
  private final Clock clock;
  private final ChangeReporter reporter;

  private volatile Snapshot snapshot;

  private final Map<String, Entry> fleet = new TreeMap<>();
  private long fleetVersion;
  private String fleetEpoch; // null until the first read of Redis
  private final List<Op> pending = new ArrayList<>();
  private final Map<String, Entry> local = new TreeMap<>();
  private final Set<String> reportedCorrupt = new HashSet<>();
  /** The broadcasts applied since the last full read, by version, to replay over a read they overtook. */
  private final TreeMap<Long, String[]> recent = new TreeMap<>();

  BoardState(String board, Set<String> declared, Clock clock, ChangeReporter reporter) {
    this.board = board;
    this.declared = declared;
    this.clock = clock;
    this.reporter = reporter;
    this.snapshot = Resolver.resolve(List.of(), declared, null, clock.millis());
  }

  Snapshot snapshot() {
    return snapshot;
  }

  /** An engaged ({@code entry} non-null) or disengaged local trigger. */
  synchronized void setLocal(String field, Entry entry) {
    put(local, field, entry);
    recompute();
  }

  /** A write on a switchboard without Redis: the local entries are the whole state. */
  synchronized void setStandalone(String field, Entry entry) {
    put(fleet, field, entry);
    fleetVersion++;
    recompute();
  }

  /** Queues {@code op} behind the writes still waiting for Redis, if any; returns whether it did. */
  synchronized boolean queueBehindPending(Op op) {
    if (pending.isEmpty()) {
      return false;
    }
    pending.add(op);
    recompute();
    return true;
  }

  /** A write Redis did not take: it applies here at once and waits for Redis. */
  synchronized void addPending(Op op) {
    pending.add(op);
    recompute();
  }

  synchronized boolean hasPending() {
    return !pending.isEmpty();
  }

  /** Whether the fleet state, as last read or heard, holds a fleet trigger's entry (any instance's). */
  synchronized boolean hasFleetTriggerEntries() {
    for (String field : fleet.keySet()) {
      if (field.startsWith(Entry.AUTO)) {
        return true;
      }
    }
    return false;
  }

  synchronized List<Op> pending() {
    return List.copyOf(pending);
  }

  /** The first {@code count} pending writes reached Redis. */
  synchronized void dropPending(int count) {
    pending.subList(0, count).clear();
  }

  /**
   * Our own write's outcome. It shows at once, but only its broadcast (or a full read) moves the version:
   * broadcasts of other instances' writes with lower versions may still be on their way, and must not be
   * taken for stale.
   *
   * @return whether the whole state must be read (the write landed in a state we have not read)
   */
  synchronized boolean applyWritten(String field, RedisFleet.Written written) {
    boolean sameState = written.epoch().equals(fleetEpoch);
    if (sameState && written.version() <= fleetVersion) {
      return false; // its broadcast, or a later one, was applied already
    }
    if (written.stored().isEmpty()) {
      fleet.remove(field);
    } else {
      putDecoded(field, written.stored());
    }
    recompute();
    return !sameState;
  }

  /**
   * A broadcast {@code <epoch>|<version>|<set|del>|<field>|<value>}.
   *
   * @return whether the whole state must be read (a broadcast was missed, or it is from a state we have
   *     not read)
   */
  synchronized boolean applyBroadcast(String message) {
    String[] parts = message.split("\\|", 5);
    long version;
    try {
      version = parts.length == 5 ? Long.parseLong(parts[1]) : -1;
    } catch (NumberFormatException e) {
      version = -1;
    }
    if (version < 0 || !(parts[2].equals("set") || parts[2].equals("del"))) {
      reportCorrupt(message, "malformed broadcast '" + message + "'");
      return false;
    }
    if (!parts[0].equals(fleetEpoch)) {
      return true;
    }
    if (version <= fleetVersion) {
      return false; // stale: already applied, or older than the state we read
    }
    String[] change = {parts[2], parts[3], parts[4]};
    applyChange(change);
    recent.put(version, change);
    if (recent.size() > MAX_RECENT) {
      recent.pollFirstEntry();
    }
    boolean missed = version > fleetVersion + 1;
    fleetVersion = version;
    recompute();
    return missed;
  }

  /**
   * What to write back when {@code state}, just read, is not the state we knew (Redis restarted without
   * persistence, failed over or was flushed): the entries {@code ours} accepts that are not in it. Fields
   * already written afresh are newer than our knowledge and stay.
   */
  synchronized List<Op> lostEntries(Map<String, String> state, Predicate<Entry> ours) {
    String epoch = state.getOrDefault(RedisFleet.EPOCH_FIELD, "");
    List<Op> lost = new ArrayList<>();
    // An empty known epoch means there was no state to lose (or one written without the script).
    if (fleetEpoch != null && !fleetEpoch.isEmpty() && !epoch.equals(fleetEpoch)) {
      fleet.values().stream().filter(e -> !state.containsKey(e.field()) && ours.test(e))
          .forEach(e -> lost.add(new Op(e.field(), e)));
    }
    if (!lost.isEmpty()) {
      log.warn("switchboard {}: the state in Redis was lost; writing back {} entries this instance knew", board,
          lost.size());
    }
    return lost;
  }

  /**
   * Replaces the fleet entries by {@code state}, the whole hash. When broadcasts newer than the read were
   * applied meanwhile (they travel on another connection and may overtake it), they are replayed over it.
   *
   * @return false if the result may be incomplete and the state should be read again: the read is older
   *     than the version held and not every broadcast in between was seen (or Redis went back in time)
   */
  synchronized boolean applyState(Map<String, String> state) {
    String epoch = state.getOrDefault(RedisFleet.EPOCH_FIELD, "");
    long version;
    try {
      version = Long.parseLong(state.getOrDefault(RedisFleet.VERSION_FIELD, "0"));
    } catch (NumberFormatException e) {
      version = 0;
    }
    boolean sameEpoch = epoch.equals(fleetEpoch);
    fleet.clear();
    state.forEach((field, value) -> {
      if (!field.startsWith("_")) { // _version, _epoch
        putDecoded(field, value);
      }
    });
    boolean complete = true;
    if (sameEpoch && version < fleetVersion) {
      SortedMap<Long, String[]> newer = recent.tailMap(version, false);
      complete = newer.size() == fleetVersion - version; // versions are unique: all of them, in order
      if (complete) {
        newer.values().forEach(this::applyChange);
      } else {
        fleetVersion = version;
      }
    } else {
      fleetVersion = version;
    }
    if (sameEpoch && complete) {
      recent.headMap(version, true).clear();
    } else {
      recent.clear();
    }
    fleetEpoch = epoch;
    recompute();
    return complete;
  }

  private void applyChange(String[] change) {
    if (change[0].equals("del")) {
      fleet.remove(change[1]);
    } else {
      putDecoded(change[1], change[2]);
    }
  }

  private void putDecoded(String field, String value) {
    try {
      fleet.put(field, EntryCodec.decode(field, value));
    } catch (IllegalArgumentException corrupt) {
      fleet.remove(field);
      reportCorrupt(field + "=" + value, corrupt.getMessage());
    }
  }

  /** Logs each distinct corrupt value once (up to a bound, so a flood cannot grow memory). */
  private void reportCorrupt(String key, String message) {
    if (reportedCorrupt.size() < MAX_REPORTED_CORRUPT && reportedCorrupt.add(key)) {
      log.warn("switchboard {}: ignoring {}", board, message);
    }
  }

  private static void put(Map<String, Entry> map, String field, Entry entry) {
    if (entry == null) {
      map.remove(field);
    } else {
      map.put(field, entry);
    }
  }

  private void recompute() {
    Map<String, Entry> effective = new HashMap<>(fleet);
    pending.forEach(op -> put(effective, op.field(), op.entry()));
    effective.putAll(local);
    Snapshot before = snapshot;
    Snapshot after = Resolver.resolve(effective.values(), declared, before, clock.millis());
    snapshot = after;
    Set<SwitchName> names = new LinkedHashSet<>();
    before.all().forEach(s -> names.add(s.name()));
    after.all().forEach(s -> names.add(s.name()));
    for (SwitchName n : names) {
      Switch was = before.get(n);
      Switch now = after.get(n);
      if (was.on() != now.on() || was.origin() != now.origin() || !was.who().equals(now.who())
          || !was.why().equals(now.why())) {
        reporter.report(was, now);
      }
    }
  }
}
