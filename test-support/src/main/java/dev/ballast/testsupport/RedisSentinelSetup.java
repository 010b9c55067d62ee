package dev.ballast.testsupport;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local Sentinel setup for tests: one master, one replica and three Sentinels (quorum 2) monitoring
 * them under the name {@value #MASTER_NAME}, on loopback ports, from the same executable as {@link
 * RedisServer} (the Sentinels are that {@code redis-server} run with {@code --sentinel}).
 *
 * <pre>{@code
 * try (RedisSentinelSetup setup = RedisSentinelSetup.launch()) {
 *   RedisClient client = setup.newClient();    // redis-sentinel://...#ballast: follows the master
 *   RedisServer old = setup.master();
 *   old.kill();
 *   RedisServer promoted = setup.awaitFailoverFrom(old);
 *   setup.heal();                              // restarts the old master; the Sentinels make it a replica
 * }
 * }</pre>
 *
 * <p>{@link #launch()} returns once the replica is synced and every Sentinel names the same master, knows
 * the replica and the two other Sentinels. Each server is a {@link RedisServer} with {@code kill}, {@code
 * stop}, {@code pause}, {@code resume} and {@code start}; a restarted Sentinel keeps its rewritten config.
 * Every wait is bounded ({@link Builder#readyTimeout}) and throws {@link IllegalStateException} naming
 * what was not reached. Drive one setup from one test thread.
 */
public final class RedisSentinelSetup implements LocalTopology {

  /** The name the Sentinels monitor the master under. */
  public static final String MASTER_NAME = "ballast";

  private static final Logger LOG = LoggerFactory.getLogger(RedisSentinelSetup.class);
  private static final int SENTINELS = 3;

  private final List<RedisServer> dataNodes;
  private final List<RedisServer> sentinels;
  private final Duration readyTimeout;

  private RedisSentinelSetup(List<RedisServer> dataNodes, List<RedisServer> sentinels, Duration readyTimeout) {
    this.dataNodes = List.copyOf(dataNodes);
    this.sentinels = List.copyOf(sentinels);
    this.readyTimeout = readyTimeout;
  }

  /**
   * Launches a setup with default options (a master is down after 2 s) and waits until it is healthy.
   *
   * @throws IllegalStateException if a server does not start or the Sentinels do not agree in time
   */
  public static RedisSentinelSetup launch() {
    return builder().launch();
  }

  /** Returns a builder for a setup with options. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the two data nodes in launch order (at launch: the master, then the replica). */
  public List<RedisServer> dataNodes() {
    return dataNodes;
  }

  /** Returns the three Sentinels. */
  public List<RedisServer> sentinels() {
    return sentinels;
  }

  /**
   * Returns the data node the Sentinels name as master now (the first live Sentinel that answers).
   *
   * @throws IllegalStateException if no Sentinel answers or it names an unknown address
   */
  public RedisServer master() {
    RuntimeException last = null;
    for (RedisServer sentinel : live(sentinels)) {
      try {
        return byPort(masterPortSeenBy(sentinel));
      } catch (RuntimeException e) {
        last = e;
      }
    }
    throw new IllegalStateException("no Sentinel of " + this + " names a master", last);
  }

  /** Returns the data node that is not {@link #master()}. */
  public RedisServer replica() {
    RedisServer master = master();
    return dataNodes.get(0).equals(master) ? dataNodes.get(1) : dataNodes.get(0);
  }

  /** Returns the URI that finds the master through the three Sentinels, e.g. for {@code RedisClient.create}. */
  public RedisURI redisUri() {
    RedisURI.Builder builder =
        RedisURI.Builder.sentinel(sentinels.get(0).host(), sentinels.get(0).port(), MASTER_NAME);
    for (RedisServer sentinel : sentinels.subList(1, sentinels.size())) {
      builder.withSentinel(sentinel.host(), sentinel.port());
    }
    return builder.withTimeout(TestClients.COMMAND_TIMEOUT).build();
  }

  /** Returns {@link #redisUri()} as text: {@code redis-sentinel://h:p1,h:p2,h:p3#ballast}. */
  public String uri() {
    return "redis-sentinel://"
        + sentinels.stream().map(s -> s.host() + ":" + s.port()).collect(Collectors.joining(","))
        + "#" + MASTER_NAME;
  }

  /**
   * Returns a new Lettuce client on {@link #uri()}, tuned for tests as {@link RedisServer#newClient()};
   * it asks the Sentinels for the master on every (re)connect, so it follows a failover. The caller shuts
   * it down.
   */
  public RedisClient newClient() {
    return TestClients.create(uri());
  }

  /**
   * Asks a Sentinel for a failover ({@code SENTINEL FAILOVER}, no agreement needed) and waits until every
   * Sentinel names the replica as master and the old master replicates from it; returns the new master.
   *
   * @throws IllegalStateException if the failover does not finish in time
   */
  public RedisServer failover() {
    RedisServer old = master();
    String reply = Admin.call(live(sentinels).get(0), "SENTINEL", "FAILOVER", MASTER_NAME);
    if (!"+OK".equals(reply)) {
      throw new IllegalStateException("SENTINEL FAILOVER " + MASTER_NAME + " answered " + reply);
    }
    RedisServer promoted = awaitFailoverFrom(old);
    awaitHealthy();
    return promoted;
  }

  /**
   * Waits until every live Sentinel names a data node other than {@code old} as master (after the test
   * killed, stopped or paused {@code old}) and returns it.
   *
   * @throws IllegalStateException if that does not happen in time
   */
  public RedisServer awaitFailoverFrom(RedisServer old) {
    Objects.requireNonNull(old, "old");
    Admin.await("the Sentinels to fail over from " + old, readyTimeout, () -> {
      for (RedisServer sentinel : live(sentinels)) {
        int port = masterPortSeenBy(sentinel);
        if (port == old.port()) {
          return sentinel.port() + " still names " + old.port();
        }
      }
      return null;
    });
    RedisServer promoted = master();
    LOG.info("Sentinel failover: {} took over from {}", promoted, old);
    return promoted;
  }

  /**
   * Resumes paused servers, starts stopped ones, points a data node that came back as a master at the
   * master every Sentinel names (as the Sentinels would, later), and waits until the setup is healthy again;
   * {@link RedisSentinelExtension} calls it after each test.
   *
   * <p>The Sentinels reconfigure a failed-over master that came back only once it has reported the master
   * role for 8 s ({@code SENTINEL_PUBLISH_PERIOD} × 4, fixed in Redis), found by an {@code INFO} sent every
   * 1 to 10 s: that was most of a heal after a failover (17 s). A test that proves the Sentinels' own
   * reconfiguration starts the node and calls {@link #awaitHealthy()} instead.
   *
   * @throws IllegalStateException if it does not recover in time
   */
  public void heal() {
    List<RedisServer> all = new ArrayList<>(dataNodes);
    all.addAll(sentinels);
    for (RedisServer server : all) {
      if (server.isPaused()) {
        server.resume();
      }
      if (!server.isRunning()) {
        server.start();
      }
    }
    rejoinAsReplica();
    awaitHealthy();
  }

  /**
   * Sends {@code REPLICAOF} to a data node that answers as a master though every live Sentinel names the
   * other one, which is a master; does nothing otherwise (a Sentinel that was paused may still name the
   * old master: the Sentinels then settle it themselves, and {@link #awaitHealthy()} waits for that).
   */
  private void rejoinAsReplica() {
    try {
      Integer named = null;
      for (RedisServer sentinel : live(sentinels)) {
        int port = masterPortSeenBy(sentinel);
        if (named != null && named != port) {
          return;
        }
        named = port;
      }
      RedisServer master = byPort(named);
      if (!"master".equals(Admin.field(Admin.call(master, "INFO", "replication"), "role"))) {
        return;
      }
      for (RedisServer node : live(dataNodes)) {
        if (!node.equals(master) && "master".equals(Admin.field(Admin.call(node, "INFO", "replication"), "role"))) {
          Admin.ok(node, "REPLICAOF", master.host(), Integer.toString(master.port()));
          LOG.info("Sentinel setup heal: {} came back as a master; made it a replica of {}", node.port(), master.port());
        }
      }
    } catch (RuntimeException e) {
      LOG.info("Sentinel setup heal: left the data nodes' roles to the Sentinels ({})", e.toString());
    }
  }

  /**
   * Waits until every live Sentinel names the same master, sees it up, knows the replica and the other
   * Sentinels, and the other data node (if running) replicates from that master with its link up.
   *
   * @throws IllegalStateException if that is not reached in time
   */
  public void awaitHealthy() {
    Admin.await("the Sentinels to agree", readyTimeout, this::problem);
  }

  /**
   * Returns the data nodes' version.
   *
   * @throws io.lettuce.core.RedisException if the master does not answer
   */
  public RedisVersion version() {
    return live(dataNodes).get(0).version();
  }

  /** Stops every server and deletes their directories; idempotent. */
  @Override
  public void close() {
    List<RedisServer> all = new ArrayList<>(sentinels);
    all.addAll(dataNodes);
    OptionRules.closeAll(all);
  }

  @Override
  public String toString() {
    return "RedisSentinelSetup[data " + dataNodes.stream().map(RedisServer::port).collect(Collectors.toList())
        + ", sentinels " + sentinels.stream().map(RedisServer::port).collect(Collectors.toList()) + "]";
  }

  private String problem() {
    List<RedisServer> liveSentinels = live(sentinels);
    Integer agreed = null;
    for (RedisServer sentinel : liveSentinels) {
      Map<String, String> master = sentinelMaster(sentinel);
      int port = Integer.parseInt(master.getOrDefault("port", "-1"));
      if (agreed == null) {
        agreed = port;
      } else if (agreed != port) {
        return "Sentinels disagree on the master: " + agreed + " vs " + port;
      }
      if (!"master".equals(master.get("flags"))) {
        return sentinel.port() + " sees the master as " + master.get("flags");
      }
      if (Integer.parseInt(master.getOrDefault("num-other-sentinels", "0")) < SENTINELS - 1) {
        return sentinel.port() + " knows " + master.get("num-other-sentinels") + " other Sentinels";
      }
      if (Integer.parseInt(master.getOrDefault("num-slaves", "0")) < 1) {
        return sentinel.port() + " knows no replica";
      }
    }
    RedisServer master = byPort(agreed);
    if (!master.isRunning() || master.isPaused()) {
      return "the master " + master.port() + " is down";
    }
    if (!"master".equals(Admin.field(Admin.call(master, "INFO", "replication"), "role"))) {
      return master.port() + " is named master but is not one yet";
    }
    for (RedisServer node : live(dataNodes)) {
      if (node.equals(master)) {
        continue;
      }
      String replication = Admin.call(node, "INFO", "replication");
      if (!"slave".equals(Admin.field(replication, "role"))
          || !Integer.toString(master.port()).equals(Admin.field(replication, "master_port"))
          || !"up".equals(Admin.field(replication, "master_link_status"))
          || !"0".equals(Admin.field(replication, "master_sync_in_progress"))) {
        return node.port() + " does not replicate from " + master.port() + " yet";
      }
    }
    return null;
  }

  private static Map<String, String> sentinelMaster(RedisServer sentinel) {
    List<String> reply = Admin.callList(sentinel, "SENTINEL", "MASTER", MASTER_NAME);
    if (reply.size() < 2) {
      throw new IllegalStateException("SENTINEL MASTER on " + sentinel.port() + " answered " + reply);
    }
    Map<String, String> fields = new HashMap<>();
    for (int i = 0; i + 1 < reply.size(); i += 2) {
      fields.put(reply.get(i), reply.get(i + 1));
    }
    return fields;
  }

  private static int masterPortSeenBy(RedisServer sentinel) {
    List<String> address = Admin.callList(sentinel, "SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
    if (address.size() != 2) {
      throw new IllegalStateException("Sentinel " + sentinel.port() + " knows no master: " + address);
    }
    return Integer.parseInt(address.get(1));
  }

  private static List<RedisServer> live(List<RedisServer> servers) {
    List<RedisServer> live = servers.stream().filter(s -> s.isRunning() && !s.isPaused()).collect(Collectors.toList());
    if (live.isEmpty()) {
      throw new IllegalStateException("every one of " + servers + " is stopped or paused");
    }
    return live;
  }

  private RedisServer byPort(int port) {
    return dataNodes.stream()
        .filter(n -> n.port() == port)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("port " + port + " is not a data node of " + this));
  }

  /** Points the Sentinels at the master and waits for them to agree. */
  private void monitor(Duration downAfter) {
    RedisServer master = dataNodes.get(0);
    for (RedisServer sentinel : sentinels) {
      Admin.ok(sentinel, "SENTINEL", "MONITOR", MASTER_NAME, master.host(), Integer.toString(master.port()), "2");
      Admin.ok(sentinel, "SENTINEL", "SET", MASTER_NAME, "down-after-milliseconds", Long.toString(downAfter.toMillis()));
      // Also how long a Sentinel waits before retrying a failover; short, so tests fail over promptly.
      Admin.ok(sentinel, "SENTINEL", "SET", MASTER_NAME, "failover-timeout", Long.toString(5 * downAfter.toMillis()));
    }
    awaitHealthy();
  }

  /**
   * Options for a local Sentinel setup. Each option may be set once; a second call throws {@link
   * IllegalStateException}.
   */
  public static final class Builder extends TopologyBuilder<Builder> {

    private Duration downAfter;

    private Builder() {}

    /**
     * Sets {@code down-after-milliseconds}: how long the master may be unreachable before the Sentinels
     * start a failover (default 2 s; a failover then takes about 3-6 s).
     *
     * @throws IllegalArgumentException if not positive
     * @throws IllegalStateException if already set
     */
    public Builder downAfter(Duration timeout) {
      downAfter = OptionRules.positiveOnce(downAfter, timeout, "downAfter");
      return this;
    }

    /**
     * Launches the master, the replica and three Sentinels; returns once they agree.
     *
     * @throws IllegalStateException if a server does not start or the Sentinels do not agree in time
     */
    public RedisSentinelSetup launch() {
      List<RedisServer> data = new ArrayList<>();
      List<RedisServer> sentinels = new ArrayList<>();
      try {
        RedisServer master = server().launch();
        data.add(master);
        RedisServer replica = server().launch();
        data.add(replica);
        // A command, not a "replicaof" directive: Redis 6.2 reads a two-word command-line value as one word.
        Admin.ok(replica, "REPLICAOF", master.host(), Integer.toString(master.port()));
        for (int i = 0; i < SENTINELS; i++) {
          sentinels.add(server().sentinel().launch());
        }
        RedisSentinelSetup setup = new RedisSentinelSetup(data, sentinels, readyTimeoutOrDefault());
        setup.monitor(downAfter != null ? downAfter : Duration.ofSeconds(2));
        LOG.info("Redis Sentinel setup ready: {} ({})", setup, Admin.version(master, setup.readyTimeout));
        return setup;
      } catch (RuntimeException e) {
        sentinels.forEach(RedisServer::close);
        data.forEach(RedisServer::close);
        throw e;
      }
    }
  }
}
