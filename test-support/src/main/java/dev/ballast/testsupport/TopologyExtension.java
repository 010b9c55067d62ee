package dev.ballast.testsupport;

import java.util.function.Supplier;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ExtensionContext.Namespace;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * What {@link RedisClusterExtension} and {@link RedisSentinelExtension} share: launch a topology for one
 * class (stored in the class's store, so JUnit closes it after the class), inject it as a parameter,
 * heal it after each test so a failed fault test does not break the next one.
 */
abstract class TopologyExtension<T extends LocalTopology>
    implements BeforeAllCallback, AfterEachCallback, ParameterResolver {

  private static final Namespace NAMESPACE = Namespace.create(TopologyExtension.class);

  private final Class<T> type;
  private final Supplier<T> launcher;

  TopologyExtension(Class<T> type, Supplier<T> launcher) {
    this.type = type;
    this.launcher = launcher;
  }

  /** Launches the topology before the class. */
  @Override
  public void beforeAll(ExtensionContext context) {
    topology(context);
  }

  /** Resumes, restarts and waits for health after each test. */
  @Override
  public void afterEach(ExtensionContext context) {
    topology(context).heal();
  }

  /** Supports parameters of the topology's type. */
  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == type;
  }

  /** Returns this class's topology. */
  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return topology(context);
  }

  private T topology(ExtensionContext context) {
    ExtensionContext classContext = context;
    while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
      classContext = classContext.getParent().get();
    }
    // Keyed by this instance: two classes never share a topology; @Nested classes find it by parent lookup.
    Closing<T> closing =
        classContext.getStore(NAMESPACE).getOrComputeIfAbsent(this, key -> new Closing<>(launcher.get()), Closing.class);
    return closing.topology;
  }

  /** Lets the JUnit store close the topology (the store closes AutoCloseable values it holds). */
  private static final class Closing<T extends LocalTopology> implements AutoCloseable {
    final T topology;

    Closing(T topology) {
      this.topology = topology;
    }

    @Override
    public void close() {
      topology.close();
    }
  }
}
