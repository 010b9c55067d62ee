package dev.ballast.testsupport;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JUnit 5 extension that gives a test class a real Redis and injects it as a {@link RedisServer}
 * parameter of constructors, test methods and lifecycle methods.
 *
 * <p><b>Shared server</b> (the default): one server per JVM, started lazily on first use and stopped when
 * the test run ends; it is {@code REDIS_URL} if set, else a local server. Each top-level test class starts
 * with an empty database ({@code FLUSHALL} before the class; {@code @Nested} classes keep their enclosing
 * class's data). Classes must therefore not run in parallel with each other.
 *
 * <pre>{@code
 * @ExtendWith(RedisExtension.class)
 * class CacheRedisTest {
 *   @Test void roundTrip(RedisServer redis) { ... redis.uri() ... }
 * }
 * }</pre>
 *
 * <p><b>Dedicated server</b>, for fault tests: a local server for one class (even when {@code REDIS_URL}
 * is set), launched before it and stopped after it. Register it on a <em>static</em> field:
 *
 * <pre>{@code
 * class QueueFailoverTest {
 *   @RegisterExtension
 *   static final RedisExtension redis = RedisExtension.dedicated(RedisServer.builder().appendOnly());
 *
 *   @Test void survivesRestart(RedisServer server) { ... server.restart(); ... }
 * }
 * }</pre>
 *
 * <p>After each test, a local server that the test left paused is resumed and one it left stopped is
 * started again (same port), so a failed fault test does not break the next one. Use one {@code
 * RedisExtension} per class: two would both try to resolve {@code RedisServer} parameters.
 */
public final class RedisExtension implements BeforeAllCallback, AfterEachCallback, ParameterResolver {

  private static final Logger LOG = LoggerFactory.getLogger(RedisExtension.class);
  private static final Namespace NAMESPACE = Namespace.create(RedisExtension.class);

  /** Launch options of the dedicated server; null for the shared one. */
  private final LaunchOptions dedicated;

  /** Creates the shared-server extension; this is what {@code @ExtendWith(RedisExtension.class)} uses. */
  public RedisExtension() {
    this(null);
  }

  private RedisExtension(LaunchOptions dedicated) {
    this.dedicated = dedicated;
  }

  /** Returns an extension using the JVM-wide shared server, as {@code @ExtendWith} does. */
  public static RedisExtension shared() {
    return new RedisExtension();
  }

  /** Returns an extension that launches a server with default options just for the class. */
  public static RedisExtension dedicated() {
    return dedicated(RedisServer.builder());
  }

  /**
   * Returns an extension that launches a server with {@code options} just for the class; the options
   * are copied now, so later changes to the builder have no effect.
   */
  public static RedisExtension dedicated(RedisServer.Builder options) {
    return new RedisExtension(options.options());
  }

  /** Starts the server if needed and empties the shared one before a top-level class. */
  @Override
  public void beforeAll(ExtensionContext context) {
    RedisServer server = server(context);
    if (dedicated == null && isTopLevelClass(context)) {
      server.flushAll();
    }
  }

  /** Brings a local server back to running and unpaused after a fault test. */
  @Override
  public void afterEach(ExtensionContext context) {
    RedisServer server = server(context);
    if (server.isExternal()) {
      return;
    }
    if (server.isPaused()) {
      LOG.debug("{} was left paused by {}; resuming it", server, context.getDisplayName());
      server.resume();
    }
    if (!server.isRunning()) {
      LOG.debug("{} was left stopped by {}; starting it", server, context.getDisplayName());
      server.start();
    }
  }

  /** Supports parameters of type {@link RedisServer}. */
  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == RedisServer.class;
  }

  /** Returns this class's server, starting it if a constructor asks before {@code beforeAll}. */
  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return server(context);
  }

  private RedisServer server(ExtensionContext context) {
    if (dedicated == null) {
      return context
          .getRoot()
          .getStore(NAMESPACE)
          .getOrComputeIfAbsent(
              SharedRedis.Lease.class, key -> SharedRedis.acquire(), SharedRedis.Lease.class)
          .server();
    }
    // Keyed by this instance, so two classes (or two dedicated extensions) never share a server; the class
    // store closes it after the class, and @Nested classes find it through the store's parent lookup.
    return classContext(context)
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(this, key -> LocalRedisServer.launch(dedicated), LocalRedisServer.class);
  }

  private static ExtensionContext classContext(ExtensionContext context) {
    ExtensionContext current = context;
    while (current.getTestMethod().isPresent() && current.getParent().isPresent()) {
      current = current.getParent().get();
    }
    return current;
  }

  private static boolean isTopLevelClass(ExtensionContext context) {
    // A top-level class's context hangs directly off the engine's (root) context.
    return context.getParent().map(parent -> parent == context.getRoot()).orElse(false);
  }
}
