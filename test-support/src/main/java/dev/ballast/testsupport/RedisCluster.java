package dev.ballast.testsupport;

import io.lettuce.core.RedisURI;
import io.lettuce.core.cluster.RedisClusterClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local Redis Cluster for tests: 3 masters and 3 replicas on loopback ports, all 16384 slots assigned
 * (0-5460, 5461-10922, 10923-16383), one replica per master, from the same executable as {@link
 * RedisServer} (the {@code redis-server} on {@code PATH}, else the embedded 6.2 binary; {@code
 * ballast.redis.binary} forces one). The cluster is built with plain commands ({@code CLUSTER ADDSLOTS},
 * {@code MEET}, {@code REPLICATE}), so no {@code redis-cli} is needed.
 *
 * <pre>{@code
 * try (RedisCluster cluster = RedisCluster.launch()) {
 *   RedisClusterClient client = cluster.newClient();
 *   RedisServer master = cluster.masterForSlot(SlotHash.getSlot("{user:1}"));
 *   master.kill();                                // a crash: its replica takes over
 *   RedisServer promoted = cluster.awaitFailoverOf(master);
 *   cluster.heal();                               // restarts the old master (now a replica), waits
 * }
 * }</pre>
 *
 * <p>Each node is a {@link RedisServer}: {@link RedisServer#kill()}, {@link RedisServer#stop()}, {@link
 * RedisServer#pause()}, {@link RedisServer#resume()} and {@link RedisServer#start()} work on it as on a
 * single server (a node keeps its port and {@code nodes.conf}, so a restarted node rejoins). Roles change
 * with failovers, so {@link #masters()} and {@link #replicas()} ask the cluster each time. Each node's
 * client port {@code p} has its bus port {@code p + 10000} free too; ports are drawn at random from
 * 20000-45000 so parallel forks rarely collide, and a collision is retried.
 *
 * <p>{@link #launch()} returns only when every node reports {@code cluster_state:ok}, every node agrees
 * on who serves which slots, and every replica's link to its master is up and synced. Every wait here is
 * bounded ({@link Builder#readyTimeout}) and throws {@link IllegalStateException} naming what was not
 * reached. Methods are thread-safe only in that node operations are; drive one cluster from one test
 * thread.
 */
public final class RedisCluster implements LocalTopology {

  /** Number of hash slots in a Redis Cluster. */
  public static final int SLOTS = 16384;

  private static final Logger LOG = LoggerFactory.getLogger(RedisCluster.class);
  private static final int MASTERS = 3;
  private static final int DIAGNOSTIC_LOG_LINES = 40;

  private final List<RedisServer> nodes;
  private final Map<Integer, String> idsByPort = new HashMap<>();
  private final Duration readyTimeout;

  private RedisCluster(List<RedisServer> nodes, Duration readyTimeout) {
    this.nodes = List.copyOf(nodes);
    this.readyTimeout = readyTimeout;
  }

  /**
   * Launches a cluster with default options (2 s node timeout) and waits until it is healthy.
   *
   * @throws IllegalStateException if a node does not start or the cluster does not form in time
   */
  public static RedisCluster launch() {
    return builder().launch();
  }

  /** Returns a builder for a cluster with options. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns all six nodes in launch order (at launch: three masters, then their replicas). */
  public List<RedisServer> nodes() {
    return nodes;
  }

  /** Returns the seed URIs of every node, for {@link RedisClusterClient#create(Iterable)}. */
  public List<RedisURI> uris() {
    return nodes.stream().map(node -> RedisURI.create(node.uri())).collect(Collectors.toList());
  }

  /**
   * Returns a new Lettuce cluster client for this cluster, tuned for tests: 2 s command timeout, 1 s
   * connect timeout, reconnect every 100 ms, topology refreshed on every redirect, reconnect and
   * failure and every second, so it follows failovers within a few seconds. The caller shuts it down.
   */
  public RedisClusterClient newClient() {
    return TestClients.createCluster(uris());
  }

  /** Returns the cluster's node id of {@code node} (stable across restarts). */
  public String nodeId(RedisServer node) {
    return idsByPort.get(require(node).port());
  }

  /** Returns the nodes currently serving slots, in launch order, as a live node sees it. */
  public List<RedisServer> masters() {
    ClusterView view = view();
    return nodes.stream()
        .filter(n -> view.byPort(n.port()).map(e -> e.isMaster() && !e.slots().isEmpty()).orElse(false))
        .collect(Collectors.toList());
  }

  /** Returns the nodes currently replicating a master, in launch order, as a live node sees it. */
  public List<RedisServer> replicas() {
    ClusterView view = view();
    return nodes.stream()
        .filter(n -> view.byPort(n.port()).map(e -> !e.isMaster()).orElse(false))
        .collect(Collectors.toList());
  }

  /**
   * Returns the master serving {@code slot} now (e.g. {@code SlotHash.getSlot(key)}).
   *
   * @throws IllegalArgumentException if {@code slot} is outside 0-16383
   * @throws IllegalStateException if no live master serves it
   */
  public RedisServer masterForSlot(int slot) {
    if (slot < 0 || slot >= SLOTS) {
      throw new IllegalArgumentException("slot must be in 0.." + (SLOTS - 1) + ": " + slot);
    }
    ClusterView.Entry master =
        view().masterOf(slot).orElseThrow(() -> new IllegalStateException("no live master serves slot " + slot));
    return byPort(master.port());
  }

  /**
   * Returns a replica of {@code master}.
   *
   * @throws IllegalStateException if it has none
   */
  public RedisServer replicaOf(RedisServer master) {
    String masterId = nodeId(master);
    String nodesReply = clusterNodes();
    ClusterView view = ClusterView.parse(nodesReply);
    return nodes.stream()
        .filter(n -> view.byPort(n.port()).map(e -> masterId.equals(e.masterId())).orElse(false))
        .findFirst()
        .orElseThrow(() -> new IllegalStateException(master + " has no replica; CLUSTER NODES:\n" + nodesReply));
  }

  /**
   * Promotes {@code replica} with a coordinated {@code CLUSTER FAILOVER} (it first catches up with its
   * master, so no acknowledged write is lost) and waits until the cluster is healthy with it as master.
   *
   * @throws IllegalArgumentException if {@code replica} is not a node of this cluster
   * @throws IllegalStateException if it is not a replica or the failover does not finish in time
   */
  public void failover(RedisServer replica) {
    String id = nodeId(replica);
    if (view().byId(id).map(ClusterView.Entry::isMaster).orElse(true)) {
      throw new IllegalStateException(replica + " is not a replica; failover() promotes a replica");
    }
    Admin.ok(replica, "CLUSTER", "FAILOVER");
    await("the failover to " + replica,
        () -> view().byId(id).map(ClusterView.Entry::isMaster).orElse(false) ? null : "still a replica");
    awaitHealthy();
  }

  /**
   * Waits until a node other than {@code master} (killed, stopped or paused by the test) serves all the
   * slots {@code master} served, and every other node agrees, then returns the new master. Call it with
   * the slot owner as it was before the fault.
   *
   * @throws IllegalStateException if no replica takes over in time
   */
  public RedisServer awaitFailoverOf(RedisServer master) {
    int slot = view().byId(nodeId(master)).map(e -> e.slots().nextSetBit(0)).orElse(-1);
    if (slot < 0) {
      throw new IllegalStateException(master + " serves no slots; name the master as it was before the fault");
    }
    RedisServer[] promoted = new RedisServer[1];
    long start = System.nanoTime();
    await("a replica to take over from " + master, () -> {
      ClusterView view = view();
      Optional<ClusterView.Entry> owner = view.masterOf(slot);
      if (owner.isEmpty() || owner.get().port() == master.port()) {
        return "slot " + slot + " still served by " + owner.map(ClusterView.Entry::port).orElse(-1);
      }
      promoted[0] = byPort(owner.get().port());
      return problem();
    });
    LOG.info("Cluster failover: {} took over from {} ({} ms after this wait began)", promoted[0], master,
        (System.nanoTime() - start) / 1_000_000);
    return promoted[0];
  }

  /**
   * Moves {@code slot} from the master {@code from} to the master {@code to} with the sequence {@code
   * redis-cli --cluster reshard} uses, and returns once every live node agrees that {@code to} serves it:
   * {@link #beginMigration}, {@link SlotMigration#moveAll} in batches of 100, {@link SlotMigration#finish}.
   * Clients keep working meanwhile, through {@code ASK} redirects (and {@code TRYAGAIN} for multi-key
   * commands whose keys are split between the two nodes). Keys are handled as UTF-8 text.
   *
   * @throws IllegalArgumentException if {@code slot} is outside 0-16383, a node is not of this cluster,
   *     or {@code from} and {@code to} are the same node
   * @throws IllegalStateException if {@code from} does not serve {@code slot}, {@code to} is not a master,
   *     a command is refused, or the nodes do not agree in time
   */
  public void migrateSlot(int slot, RedisServer from, RedisServer to) {
    SlotMigration migration = beginMigration(slot, from, to);
    migration.moveAll(100);
    migration.finish();
  }

  /**
   * Starts moving {@code slot} from the master {@code from} to the master {@code to}: {@code CLUSTER
   * SETSLOT <slot> IMPORTING <from>} on {@code to}, then {@code SETSLOT <slot> MIGRATING <to>} on {@code
   * from}. From then on {@code from} answers {@code ASK} for keys of the slot it no longer holds; the
   * returned handle moves the keys and ends the migration, so a test can run its load in between.
   *
   * @throws IllegalArgumentException if {@code slot} is outside 0-16383, a node is not of this cluster,
   *     or {@code from} and {@code to} are the same node
   * @throws IllegalStateException if {@code from} does not serve {@code slot}, {@code to} is not a master
   *     serving slots, or a node refuses a command
   */
  public SlotMigration beginMigration(int slot, RedisServer from, RedisServer to) {
    require(from);
    require(to);
    if (from.equals(to)) {
      throw new IllegalArgumentException("from and to are the same node: " + from);
    }
    RedisServer owner = masterForSlot(slot);
    if (!owner.equals(from)) {
      throw new IllegalStateException("slot " + slot + " is served by " + owner + ", not by from " + from);
    }
    if (!masters().contains(to)) {
      throw new IllegalStateException("to " + to + " is not a master serving slots; masters: " + masters());
    }
    Admin.ok(to, "CLUSTER", "SETSLOT", Integer.toString(slot), "IMPORTING", nodeId(from));
    Admin.ok(from, "CLUSTER", "SETSLOT", Integer.toString(slot), "MIGRATING", nodeId(to));
    return new SlotMigration(slot, from, to);
  }

  /**
   * A slot being moved between two masters ({@link #beginMigration}). Drive it from one thread.
   */
  public final class SlotMigration {

    private static final String MIGRATE_TIMEOUT_MILLIS = "5000";

    private final int slot;
    private final RedisServer from;
    private final RedisServer to;
    private int moved;

    private SlotMigration(int slot, RedisServer from, RedisServer to) {
      this.slot = slot;
      this.from = from;
      this.to = to;
    }

    /**
     * Moves up to {@code batch} keys of the slot that {@code from} still holds ({@code CLUSTER
     * GETKEYSINSLOT}, then one {@code MIGRATE ... KEYS}); returns how many it asked to move, 0 when
     * {@code from} holds none of the slot any more.
     *
     * @throws IllegalArgumentException if {@code batch} is not positive
     * @throws IllegalStateException if {@code MIGRATE} is refused (e.g. {@code BUSYKEY})
     */
    public int moveKeys(int batch) {
      if (batch <= 0) {
        throw new IllegalArgumentException("batch must be positive: " + batch);
      }
      List<String> keys = Admin.callList(from, "CLUSTER", "GETKEYSINSLOT", Integer.toString(slot),
          Integer.toString(batch));
      if (keys.size() == 1 && keys.get(0).startsWith("-")) {
        throw new IllegalStateException("CLUSTER GETKEYSINSLOT " + slot + " on " + from + " answered " + keys.get(0));
      }
      if (keys.isEmpty()) {
        return 0;
      }
      List<String> command = new ArrayList<>(List.of(
          "MIGRATE", to.host(), Integer.toString(to.port()), "", "0", MIGRATE_TIMEOUT_MILLIS, "KEYS"));
      command.addAll(keys);
      String reply = Admin.call(from, command.toArray(String[]::new));
      // NOKEY: every key expired or was deleted between the two commands; nothing to move.
      if (!"+OK".equals(reply) && !"+NOKEY".equals(reply)) {
        throw new IllegalStateException("MIGRATE of " + keys.size() + " keys of slot " + slot + " from " + from
            + " to " + to + " answered " + reply);
      }
      moved += keys.size();
      return keys.size();
    }

    /**
     * Moves every key {@code from} still holds, {@code batch} at a time; returns how many.
     *
     * @throws IllegalArgumentException if {@code batch} is not positive
     * @throws IllegalStateException as {@link #moveKeys}
     */
    public int moveAll(int batch) {
      int total = 0;
      for (int n = moveKeys(batch); n > 0; n = moveKeys(batch)) {
        total += n;
      }
      return total;
    }

    /** Returns how many keys of the slot {@code from} still holds ({@code CLUSTER COUNTKEYSINSLOT}). */
    public long keysLeft() {
      String reply = Admin.call(from, "CLUSTER", "COUNTKEYSINSLOT", Integer.toString(slot));
      if (!reply.startsWith(":")) {
        throw new IllegalStateException("CLUSTER COUNTKEYSINSLOT " + slot + " on " + from + " answered " + reply);
      }
      return Long.parseLong(reply.substring(1));
    }

    /** Returns how many keys {@link #moveKeys} asked to move so far. */
    public int moved() {
      return moved;
    }

    /**
     * Ends the migration: moves any keys left, then {@code CLUSTER SETSLOT <slot> NODE <to>} on {@code
     * to}, on {@code from} and on every other master, and waits until every live node sees {@code to}
     * serving the slot with no migration left open.
     *
     * @throws IllegalStateException if a node refuses or the nodes do not agree in time
     */
    public void finish() {
      moveAll(100);
      String toId = nodeId(to);
      // The target first: should the source's SETSLOT be lost, the target already claims the slot and
      // clients are redirected there (the order redis-cli uses).
      Admin.ok(to, "CLUSTER", "SETSLOT", Integer.toString(slot), "NODE", toId);
      Admin.ok(from, "CLUSTER", "SETSLOT", Integer.toString(slot), "NODE", toId);
      for (RedisServer master : masters()) {
        if (!master.equals(to) && !master.equals(from)) {
          Admin.ok(master, "CLUSTER", "SETSLOT", Integer.toString(slot), "NODE", toId);
        }
      }
      String open = "[" + slot + "-";
      await("every node to see slot " + slot + " served by " + to, () -> {
        for (RedisServer node : liveNodes()) {
          String nodesReply = Admin.call(node, "CLUSTER", "NODES");
          Optional<ClusterView.Entry> owner = ClusterView.parse(nodesReply).masterOf(slot);
          if (owner.isEmpty() || owner.get().port() != to.port()) {
            return node.port() + " sees slot " + slot + " at " + owner.map(ClusterView.Entry::port).orElse(-1);
          }
          if (nodesReply.contains(open)) {
            return node.port() + " still shows slot " + slot + " migrating or importing";
          }
        }
        return null;
      });
      LOG.info("Cluster slot {} moved from {} to {} ({} keys)", slot, from, to, moved);
    }

    @Override
    public String toString() {
      return "SlotMigration[slot " + slot + " " + from + " -> " + to + "]";
    }
  }

  /**
   * Resumes paused nodes, starts stopped ones (same port, same {@code nodes.conf}) and waits until the
   * cluster is healthy again; {@link RedisClusterExtension} calls it after each test.
   *
   * @throws IllegalStateException if the cluster does not recover in time
   */
  public void heal() {
    for (RedisServer node : nodes) {
      if (node.isPaused()) {
        node.resume();
      }
      if (!node.isRunning()) {
        node.start();
      }
    }
    awaitHealthy();
  }

  /**
   * Waits until every running, unpaused node reports {@code cluster_state:ok}, all agree on which
   * masters serve the 16384 slots, no running node is flagged failing, and every replica is synced.
   *
   * @throws IllegalStateException if that is not reached in time
   */
  public void awaitHealthy() {
    await("cluster health", this::problem);
  }

  /**
   * Returns the version of the running nodes' executable.
   *
   * @throws io.lettuce.core.RedisException if no node answers
   */
  public RedisVersion version() {
    return liveNodes().get(0).version();
  }

  /**
   * Skips the calling test unless the cluster runs {@code minimum} or newer; see {@link
   * RedisServer#assumeVersionAtLeast}.
   */
  public void assumeVersionAtLeast(String minimum, String feature) {
    liveNodes().get(0).assumeVersionAtLeast(minimum, feature);
  }

  /** Stops every node and deletes their directories; idempotent. */
  @Override
  public void close() {
    OptionRules.closeAll(nodes);
  }

  @Override
  public String toString() {
    return "RedisCluster" + nodes.stream().map(RedisServer::port).collect(Collectors.toList());
  }

  /**
   * {@link Admin#await} with this cluster's timeout; on a timeout the exception (and the log) carries
   * every node's view and its last log lines, so a failure in CI explains itself (Redis logs why a
   * failover did not happen: votes denied, election delayed, ...).
   */
  private void await(String what, Supplier<String> problem) {
    try {
      Admin.await(what, readyTimeout, problem);
    } catch (IllegalStateException e) {
      String diagnostics = diagnostics();
      LOG.warn("{}\n{}", e.getMessage(), diagnostics);
      throw new IllegalStateException(e.getMessage() + "\n" + diagnostics, e);
    }
  }

  /** Each node's role, its CLUSTER NODES (if it answers) and its last log lines. */
  String diagnostics() {
    StringBuilder text = new StringBuilder();
    for (RedisServer node : nodes) {
      text.append("=== node ").append(node.port()).append(' ').append(nodeId(node))
          .append(node.isRunning() ? "" : " (stopped)").append(node.isPaused() ? " (paused)" : "")
          .append(" ===\n");
      if (node.isRunning() && !node.isPaused()) {
        try {
          text.append(Admin.call(node, "CLUSTER", "NODES")).append('\n');
        } catch (RuntimeException e) {
          text.append("(CLUSTER NODES failed: ").append(e).append(")\n");
        }
      }
      if (node instanceof LocalRedisServer) {
        text.append(((LocalRedisServer) node).logTail(DIAGNOSTIC_LOG_LINES)).append('\n');
      }
    }
    return text.toString();
  }

  /** What is still wrong with the cluster, or null when it is healthy. */
  private String problem() {
    List<RedisServer> live = liveNodes();
    String signature = null;
    for (RedisServer node : live) {
      String state = Admin.field(Admin.call(node, "CLUSTER", "INFO"), "cluster_state");
      if (!"ok".equals(state)) {
        return node.port() + " has cluster_state:" + state;
      }
      String nodesReply = Admin.call(node, "CLUSTER", "NODES");
      ClusterView view = ClusterView.parse(nodesReply);
      if (view.coveredSlots() != SLOTS) {
        return node.port() + " sees " + view.coveredSlots() + " slots served";
      }
      for (RedisServer other : live) {
        Optional<ClusterView.Entry> entry = view.byPort(other.port());
        if (entry.isEmpty() || entry.get().isFailing() || !entry.get().isSettled()) {
          return node.port() + " sees " + other.port() + " as " + entry.map(ClusterView.Entry::flags).orElse(null);
        }
        if (entry.get().isMaster() && entry.get().slots().isEmpty()) {
          // A master that lost its slots (a failed-over master coming back) must turn into a replica.
          return node.port() + " sees " + other.port() + " as a master without slots:\n" + nodesReply;
        }
      }
      if (signature == null) {
        signature = view.signature();
      } else if (!signature.equals(view.signature())) {
        return "nodes disagree on the masters: " + signature + " vs " + view.signature() + " at " + node.port();
      }
      String replication = Admin.call(node, "INFO", "replication");
      if ("slave".equals(Admin.field(replication, "role"))
          && (!"up".equals(Admin.field(replication, "master_link_status"))
              || !"0".equals(Admin.field(replication, "master_sync_in_progress")))) {
        return "replica " + node.port() + " is not in sync with its master";
      }
    }
    return null;
  }

  private ClusterView view() {
    return ClusterView.parse(clusterNodes());
  }

  private String clusterNodes() {
    RuntimeException last = null;
    for (RedisServer node : liveNodes()) {
      try {
        return Admin.call(node, "CLUSTER", "NODES");
      } catch (RuntimeException e) {
        last = e;
      }
    }
    throw new IllegalStateException("no node of " + this + " answers CLUSTER NODES", last);
  }

  private List<RedisServer> liveNodes() {
    List<RedisServer> live = nodes.stream().filter(n -> n.isRunning() && !n.isPaused()).collect(Collectors.toList());
    if (live.isEmpty()) {
      throw new IllegalStateException("every node of " + this + " is stopped or paused");
    }
    return live;
  }

  private RedisServer byPort(int port) {
    return nodes.stream()
        .filter(n -> n.port() == port)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("port " + port + " is not a node of " + this));
  }

  private RedisServer require(RedisServer node) {
    Objects.requireNonNull(node, "node");
    if (!nodes.contains(node)) {
      throw new IllegalArgumentException(node + " is not a node of " + this);
    }
    return node;
  }

  /** Forms the cluster from six fresh nodes: slots, meet, replicate, then waits for health. */
  private void form() {
    for (RedisServer node : nodes) {
      idsByPort.put(node.port(), Admin.call(node, "CLUSTER", "MYID"));
    }
    for (int m = 0; m < MASTERS; m++) {
      // The split redis-cli --cluster create makes: 0-5460, 5461-10922, 10923-16383.
      int from = m == 0 ? 0 : m == 1 ? 5461 : 10923;
      int to = m == 0 ? 5460 : m == 1 ? 10922 : SLOTS - 1;
      List<String> command = new ArrayList<>(List.of("CLUSTER", "ADDSLOTS"));
      IntStream.rangeClosed(from, to).forEach(slot -> command.add(Integer.toString(slot)));
      Admin.ok(nodes.get(m), command.toArray(String[]::new));
    }
    RedisServer first = nodes.get(0);
    for (RedisServer node : nodes.subList(1, nodes.size())) {
      Admin.ok(first, "CLUSTER", "MEET", node.host(), Integer.toString(node.port()));
    }
    await("all nodes to meet", () -> {
      for (RedisServer node : nodes) {
        ClusterView view = ClusterView.parse(Admin.call(node, "CLUSTER", "NODES"));
        long settled = view.entries().stream().filter(ClusterView.Entry::isSettled).count();
        if (settled != nodes.size()) {
          return node.port() + " knows " + settled + " of " + nodes.size() + " nodes";
        }
        for (int m = 0; m < MASTERS; m++) {
          // A replica can only REPLICATE a node it knows as a master.
          if (!view.byPort(nodes.get(m).port()).map(ClusterView.Entry::isMaster).orElse(false)) {
            return node.port() + " does not see " + nodes.get(m).port() + " as a master yet";
          }
        }
      }
      return null;
    });
    for (int r = MASTERS; r < nodes.size(); r++) {
      Admin.ok(nodes.get(r), "CLUSTER", "REPLICATE", idsByPort.get(nodes.get(r - MASTERS).port()));
    }
    await("replicas to attach", () -> replicas().size() == MASTERS ? null : "replicas " + replicas());
    awaitHealthy();
  }

  /**
   * Options for a local cluster. Each option may be set once; a second call throws {@link
   * IllegalStateException}.
   */
  public static final class Builder extends TopologyBuilder<Builder> {

    private Duration nodeTimeout;

    private Builder() {}

    /**
     * Sets {@code cluster-node-timeout}: how long a node may be unreachable before it is flagged failing
     * and its replica takes over (default 2 s; a failover then takes about 3-5 s).
     *
     * @throws IllegalArgumentException if not positive
     * @throws IllegalStateException if already set
     */
    public Builder nodeTimeout(Duration timeout) {
      nodeTimeout = OptionRules.positiveOnce(nodeTimeout, timeout, "nodeTimeout");
      return this;
    }

    /**
     * Launches six nodes and forms the cluster; returns once it is healthy.
     *
     * @throws IllegalStateException if a node does not start or the cluster does not form in time
     */
    public RedisCluster launch() {
      Duration timeout = readyTimeoutOrDefault();
      String nodeTimeoutMillis = Long.toString((nodeTimeout != null ? nodeTimeout : Duration.ofSeconds(2)).toMillis());
      List<RedisServer> nodes = new ArrayList<>();
      try {
        for (int i = 0; i < 2 * MASTERS; i++) {
          RedisServer.Builder node =
              server()
                  .config("cluster-enabled", "yes")
                  .config("cluster-config-file", "nodes.conf")
                  .config("cluster-node-timeout", nodeTimeoutMillis)
                  // A replica whose link was down for long (a paused master) may still take over.
                  .config("cluster-replica-validity-factor", "0")
                  .ports(FreePorts::pickWithBus);
          nodes.add(node.launch());
        }
        RedisCluster cluster = new RedisCluster(nodes, timeout);
        cluster.form();
        LOG.info("Redis cluster ready: {} ({})", cluster, Admin.version(nodes.get(0), timeout));
        return cluster;
      } catch (RuntimeException e) {
        nodes.forEach(RedisServer::close);
        throw e;
      }
    }
  }
}
