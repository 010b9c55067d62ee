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
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entries in force and the {@link Snapshot} made of them.
 *
 * <p>Design: readers see one immutable snapshot through a volatile field and never lock. Everything else
 * is guarded by this object's monitor: the fleet entries as last read or broadcast from Redis with their
 * version and epoch (without Redis, the manual entries), the writes an outage held back ({@code pending},
 * applied over the fleet entries in order), the entries of engaged local triggers, and the {@link Hlc} clock
 * of each fleet field's last change (tombstones included: a field released or left keeps its clock, so an
 * older set cannot come back). Every mutation
 * recomputes the snapshot ({@link Resolver}, a pure function), publishes it, then reports each changed
 * switch while still holding the monitor, so reports come in the order of the changes. Nothing here
 * calls Redis.
 */
final class BoardState {

  private static final Logger log = LoggerFactory.getLogger(Switchboard.class);
  private static final int MAX_REPORTED_CORRUPT = 1_000;
  private static final int MAX_RECENT = 10_000;
  /** The shape of every stored value, whatever switches it names (a newer version may know more). */
  private static final Pattern WELL_FORMED = Pattern.compile("[0-9]{1,19}\\|[^|]*\\|[^|]*\\|[^|]*");

  private final String board;
  private final Set<String> declared;
  private final Clock clock;
  private final ChangeReporter reporter;

  private volatile Snapshot snapshot;

  private final Map<String, Entry> fleet = new TreeMap<>();
  /** The clock of each fleet field's last change as known here; a field with a clock and no entry was deleted. */
  private final Map<String, String> clocks = new HashMap<>();
  private final String instanceId;
  private final Hlc hlc;
  private final Runnable corruptCounter;
  private long fleetVersion;
  private String fleetEpoch; // null until the first read of Redis
  private final List<Op> pending = new ArrayList<>();
  private final Map<String, Entry> local = new TreeMap<>();
  private final Set<String> reportedCorrupt = new HashSet<>();
  /** The broadcasts applied since the last full read, by version, to replay over a read they overtook. */
  private final TreeMap<Long, String[]> recent = new TreeMap<>();

  /**
   * @param instanceId this instance, in the clocks it stamps
   * @param corruptCounter counts each corrupt field, version or broadcast found
   */
  BoardState(String board, String instanceId, Set<String> declared, Clock clock, ChangeReporter reporter,
      Runnable corruptCounter) {
    this.board = board;
    this.instanceId = instanceId;
    this.hlc = new Hlc(instanceId, clock);
    this.corruptCounter = corruptCounter;
    this.declared = declared;
    this.clock = clock;
    this.reporter = reporter;
    this.snapshot = Resolver.resolve(List.of(), declared, null, clock.millis());
  }

  Snapshot snapshot() {
    return snapshot;
  }

  /** A clock for a new change made here: later than every change this instance has made or seen. */
  String nextClock() {
    return hlc.next();
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
   * taken for stale. A write the script refused (a newer change of the field stands) changes nothing here.
   *
   * @return whether the whole state must be read (the write landed in a state we have not read)
   */
  synchronized boolean applyWritten(String field, RedisFleet.Written written) {
    boolean sameState = written.epoch().equals(fleetEpoch);
    String clock = hlc.trusted(written.clock());
    hlc.observe(clock);
    // Its broadcast, or a later one, was applied already; unless the clock standing in Redis is newer than
    // the field's known one: then Redis went back in time and uses versions this instance saw again.
    if (sameState && written.version() <= fleetVersion && !Hlc.newer(clock, clocks.getOrDefault(field, ""))) {
      if (written.stored().isEmpty() && !clock.isEmpty() && !fleet.containsKey(field)) {
        clocks.put(field, clock); // a tombstone written where nothing was: no version, no broadcast
      }
      return false;
    }
    if (written.stored().isEmpty()) {
      fleet.remove(field);
    } else {
      putDecoded(field, written.stored());
    }
    putClock(field, clock);
    recompute();
    return !sameState;
  }

  /**
   * A broadcast {@code <epoch>|<version>|<set|del|sync>|<field>|<clock>|<value>}, or one without the clock
   * from an instance of an older version.
   *
   * @return whether the whole state must be read (a broadcast was missed, it is from a state we have not
   *     read, or another instance asked every instance to read it: {@code sync} with its id as the field)
   */
  synchronized boolean applyBroadcast(String message) {
    String[] parts = message.split("\\|", 6);
    long version;
    try {
      version = parts.length >= 5 ? Long.parseLong(parts[1]) : -1;
    } catch (NumberFormatException e) {
      version = -1;
    }
    if (version < 0 || !(parts[2].equals("set") || parts[2].equals("del") || parts[2].equals("sync"))) {
      reportCorrupt(message, "malformed broadcast '" + message + "'");
      return false;
    }
    if (parts[2].equals("sync")) {
      return !parts[3].equals(instanceId); // our own request: we read the state just now
    }
    if (!parts[0].equals(fleetEpoch)) {
      return true;
    }
    String[] change;
    if (parts.length == 6 && (parts[4].isEmpty() || Hlc.valid(parts[4]))) {
      change = new String[] {parts[2], parts[3], parts[5], parts[4]};
    } else { // the format before stamps, <epoch>|<version>|<op>|<field>|<value>, from an older instance
      change = new String[] {parts[2], parts[3], parts.length == 6 ? parts[4] + "|" + parts[5] : parts[4], ""};
    }
    if (version <= fleetVersion) {
      // Stale (already applied, or older than the state read) unless it is stamped newer than the field's
      // known change: then Redis went back in time (an older append-only file, a lagging replica) and uses
      // versions again that this instance saw in the timeline Redis lost.
      if (!stampedNewer(change)) {
        return false;
      }
      applyChange(change);
      recompute();
      return false;
    }
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
   * What this instance knows that is newer than {@code state}, just read, and must be written back (the
   * newest action wins): every field {@code ours} accepts whose known clock is newer than the clock in
   * Redis (a set, or a delete as a tombstone), which covers Redis restarted without persistence, flushed,
   * failed over to a lagging replica or restored from an older append-only file. Entries without a clock
   * (written by hand or by an older version) are written back only when the state was lost (another epoch)
   * and they are missing from it. What Redis holds newer stays, and is applied by {@link #applyState}.
   */
  synchronized List<Op> newerThan(RedisFleet.State state, Predicate<String> ours) {
    Map<String, String> hash = state.hash();
    boolean lost = isLost(state);
    List<Op> newer = new ArrayList<>();
    Set<String> fields = new TreeSet<>(clocks.keySet());
    fields.addAll(fleet.keySet());
    for (String field : fields) {
      if (!ours.test(field)) {
        continue;
      }
      String known = clocks.getOrDefault(field, "");
      Entry entry = fleet.get(field);
      boolean write = Hlc.newer(known, hlc.trusted(state.clocks().get(field)))
          || (lost && known.isEmpty() && entry != null && !hash.containsKey(field));
      if (write && (entry != null || !known.isEmpty())) {
        newer.add(new Op(field, entry, known));
      }
    }
    if (!newer.isEmpty() && lost) {
      log.warn("switchboard {}: the state in Redis was lost; writing back {} changes this instance knew ({})",
          board, newer.size(), newer.stream().map(Op::field).toList());
    } else if (!newer.isEmpty()) {
      // Also the harmless case of a broadcast that overtook the read: the script then changes nothing.
      log.info("switchboard {}: writing back {} changes this instance knows newer than the state read ({})",
          board, newer.size(), newer.stream().map(Op::field).toList());
    }
    return newer;
  }

  /** Whether {@code state}, just read, is not the state last read here: Redis lost that one. */
  synchronized boolean isLost(RedisFleet.State state) {
    String epoch = state.hash().getOrDefault(RedisFleet.EPOCH_FIELD, "");
    // An empty known epoch means there was no state to lose (or one written without the script).
    return fleetEpoch != null && !fleetEpoch.isEmpty() && !epoch.equals(fleetEpoch);
  }

  /** What a full read found: whether it is complete, and the corrupt fields to repair (field to value). */
  record ReadOutcome(boolean complete, Map<String, String> corrupt) {}

  /**
   * Replaces the fleet entries by {@code state}, the whole hash. When broadcasts newer than the read were
   * applied meanwhile (they travel on another connection and may overtake it), they are replayed over it.
   *
   * Corrupt fields are skipped (logged once per value, counted) and returned for repair.
   *
   * @return complete false if the result may be incomplete and the state should be read again: the read
   *     is older than the version held and not every broadcast in between was seen (or Redis went back in
   *     time)
   */
  synchronized ReadOutcome applyState(RedisFleet.State read) {
    Map<String, String> state = read.hash();
    Map<String, String> corrupt = new TreeMap<>();
    String epoch = state.getOrDefault(RedisFleet.EPOCH_FIELD, "");
    String rawVersion = state.getOrDefault(RedisFleet.VERSION_FIELD, "0");
    long version;
    try {
      version = Long.parseLong(rawVersion);
    } catch (NumberFormatException e) {
      version = -1;
    }
    if (version < 0) {
      reportCorrupt(RedisFleet.VERSION_FIELD + "=" + rawVersion, "corrupt version '" + rawVersion + "'");
      corrupt.put(RedisFleet.VERSION_FIELD, rawVersion);
      version = 0;
    }
    boolean sameEpoch = epoch.equals(fleetEpoch);
    fleet.clear();
    clocks.clear();
    read.clocks().forEach((field, clock) -> putClock(field, hlc.trusted(clock)));
    state.forEach((field, value) -> {
      if (!field.startsWith("_") && !putDecoded(field, value) && !WELL_FORMED.matcher(value).matches()) {
        corrupt.put(field, value); // garbage: repaired. A well-formed value may be a newer version's: kept
      }
    });
    boolean complete = true;
    if (sameEpoch && version < fleetVersion) {
      SortedMap<Long, String[]> newer = recent.tailMap(version, false);
      complete = newer.size() == fleetVersion - version; // versions are unique: all of them, in order
      if (complete) {
        // Replayed unless the read holds a newer change of the field: Redis may have gone back in time, and
        // then these are changes of the timeline it lost, which the state read may have overwritten since.
        newer.values().stream().filter(change -> !stampedOlder(change)).forEach(this::applyChange);
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
    return new ReadOutcome(complete, corrupt);
  }

  /** Applies {@code change}: {op, field, value, clock}. */
  private void applyChange(String[] change) {
    if (change[0].equals("del")) {
      fleet.remove(change[1]);
    } else {
      putDecoded(change[1], change[2]);
    }
    putClock(change[1], change[3]);
  }

  /**
   * Whether {@code change} is stamped newer than the field's change known here. Never for fleet trigger
   * entries: their deletions leave no stamp (no tombstone), so an older set of one could pass for newer.
   */
  private boolean stampedNewer(String[] change) {
    return !change[1].startsWith(Entry.AUTO) && Hlc.valid(change[3])
        && Hlc.newer(change[3], clocks.getOrDefault(change[1], ""));
  }

  /** Whether {@code change} is stamped older than the field's change known here (unstamped: never). */
  private boolean stampedOlder(String[] change) {
    return Hlc.valid(change[3]) && Hlc.newer(clocks.getOrDefault(change[1], ""), change[3]);
  }

  private void putClock(String field, String untrusted) {
    String clock = hlc.trusted(untrusted);
    hlc.observe(clock);
    if (clock.isEmpty()) {
      clocks.remove(field);
    } else {
      clocks.put(field, clock);
    }
  }

  /** Puts the decoded entry; false (skipped, logged once, counted) if {@code value} is corrupt. */
  private boolean putDecoded(String field, String value) {
    try {
      fleet.put(field, EntryCodec.decode(field, value));
      return true;
    } catch (IllegalArgumentException corrupt) {
      fleet.remove(field);
      reportCorrupt(field + "=" + value, corrupt.getMessage());
      return false;
    }
  }

  /** Something corrupt found outside a read of the state (counted; {@code message} logged once per key). */
  synchronized void corruptFound(String key, String message) {
    reportCorrupt(key, message);
  }

  /**
   * Counts each corrupt find and logs each distinct corrupt value once (up to a bound, so a flood cannot
   * grow memory).
   */
  private void reportCorrupt(String key, String message) {
    corruptCounter.run();
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
