package dev.ballast.testsupport;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * One node's {@code CLUSTER NODES} reply, parsed: who is there, who is master of which slots, who is
 * flagged failing. Lines look like {@code <id> <ip:port@bus[,hostname]> <flags> <master|-> <ping> <pong>
 * <epoch> <link> <slot or range>...}; migration entries ({@code [slot->-id]}) are ignored.
 */
record ClusterView(List<ClusterView.Entry> entries) {

  /** One line: a node as the viewing node sees it. */
  record Entry(String id, int port, List<String> flags, String masterId, BitSet slots) {

    boolean isMaster() {
      return flags.contains("master");
    }

    boolean isFailing() {
      return flags.contains("fail") || flags.contains("fail?");
    }

    boolean isSettled() {
      return !flags.contains("handshake") && !flags.contains("noaddr");
    }
  }

  static ClusterView parse(String clusterNodes) {
    List<Entry> entries = new ArrayList<>();
    for (String line : clusterNodes.split("\r?\n")) {
      String[] parts = line.strip().split(" ");
      if (parts.length < 8) {
        continue;
      }
      String address = parts[1];
      int colon = address.lastIndexOf(':', address.indexOf('@') < 0 ? address.length() : address.indexOf('@'));
      int at = address.indexOf('@');
      int port = Integer.parseInt(address.substring(colon + 1, at < 0 ? address.length() : at));
      BitSet slots = new BitSet(RedisCluster.SLOTS);
      for (int i = 8; i < parts.length; i++) {
        String range = parts[i];
        if (range.startsWith("[")) {
          continue;
        }
        int dash = range.indexOf('-');
        int from = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
        int to = dash < 0 ? from : Integer.parseInt(range.substring(dash + 1));
        slots.set(from, to + 1);
      }
      entries.add(new Entry(parts[0], port, List.of(parts[2].split(",")), parts[3], slots));
    }
    return new ClusterView(List.copyOf(entries));
  }

  Optional<Entry> byPort(int port) {
    return entries.stream().filter(e -> e.port() == port).findFirst();
  }

  Optional<Entry> byId(String id) {
    return entries.stream().filter(e -> e.id().equals(id)).findFirst();
  }

  /** The live master serving {@code slot}, if any. */
  Optional<Entry> masterOf(int slot) {
    return entries.stream()
        .filter(e -> e.isMaster() && !e.isFailing() && e.slots().get(slot))
        .findFirst();
  }

  /** Live masters with slots, as "port:first-slot" strings in a stable order, to compare views. */
  String signature() {
    TreeSet<String> masters = new TreeSet<>();
    for (Entry e : entries) {
      if (e.isMaster() && !e.isFailing() && !e.slots().isEmpty()) {
        masters.add(e.port() + ":" + e.slots().nextSetBit(0) + "+" + e.slots().cardinality());
      }
    }
    return masters.toString();
  }

  /** Number of slots served by a master not flagged failing. */
  int coveredSlots() {
    BitSet covered = new BitSet(RedisCluster.SLOTS);
    for (Entry e : entries) {
      if (e.isMaster() && !e.isFailing()) {
        covered.or(e.slots());
      }
    }
    return covered.cardinality();
  }
}
