package dev.ballast.core.internal;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where Ballast creates threads, so that every thread it starts is a daemon, is named
 * {@code ballast-<component>[-<n>]} (a thread dump says which part owns it), and logs what it did not
 * handle instead of dying silently. Every module creates its threads here, and only when the application
 * gave it no executor or scheduler of its own; {@code docs/threads.md} lists them all.
 */
public final class BallastThreads {

  private static final Logger log = LoggerFactory.getLogger(BallastThreads.class);
  private static final Thread.UncaughtExceptionHandler LOG_UNCAUGHT =
      (thread, error) -> log.error("Uncaught failure on Ballast thread {}", thread.getName(), error);

  private BallastThreads() {}

  /**
   * A factory of daemon threads named {@code ballast-<component>-1}, {@code -2}, ...
   *
   * @param component what the threads do, e.g. {@code "cache-loader"}; must not be blank
   */
  public static ThreadFactory factory(String component) {
    String prefix = prefix(component) + "-";
    AtomicInteger count = new AtomicInteger();
    return runnable -> newThread(prefix + count.incrementAndGet(), runnable);
  }

  /** An unstarted daemon thread named {@code ballast-<component>}, for a component that needs one thread. */
  public static Thread thread(String component, Runnable task) {
    return newThread(prefix(component), task);
  }

  private static String prefix(String component) {
    if (component == null || component.isBlank()) {
      throw new IllegalArgumentException("BallastThreads: component must not be blank");
    }
    return "ballast-" + component;
  }

  private static Thread newThread(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    thread.setUncaughtExceptionHandler(LOG_UNCAUGHT);
    return thread;
  }
}
