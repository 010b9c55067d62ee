package dev.ballast.spring;

import dev.ballast.core.Registry;
import dev.ballast.queue.DeadLetter;
import dev.ballast.queue.JobQueue;
import dev.ballast.queue.QueueStats;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** The actuator's view of the job queues and its dead-letter operations; loaded only with queue-backoff. */
final class QueueView {

  /** Dead letters listed per queue: enough to decide, few enough to read. */
  static final int DEAD_LETTERS_SHOWN = 20;

  /** Most dead letters one "requeue all" moves, so one call never loads an unbounded set (call again for more). */
  static final int REQUEUE_BATCH = 1000;

  private QueueView() {}

  /** Every queue's key figures; a queue whose backend does not answer shows the error instead. */
  static Map<String, Object> all(Registry registry) {
    Map<String, Object> queues = new LinkedHashMap<>();
    for (String name : registry.namesOf(JobQueue.class)) {
      queues.put(name, figures(registry.get(name, JobQueue.class)));
    }
    return queues;
  }

  static boolean has(Registry registry, String name) {
    return registry.namesOf(JobQueue.class).contains(name);
  }

  /** One queue's figures and its oldest dead letters. */
  static Map<String, Object> of(Registry registry, String name) {
    JobQueue queue = queue(registry, name);
    Map<String, Object> view = figures(queue);
    if (!view.containsKey("error")) {
      List<Map<String, Object>> letters = new ArrayList<>();
      try {
        for (DeadLetter letter : queue.deadLetters(DEAD_LETTERS_SHOWN)) {
          Map<String, Object> one = new LinkedHashMap<>();
          one.put("id", letter.id());
          one.put("type", letter.type());
          one.put("attempts", letter.attempts());
          one.put("lastError", letter.lastError());
          one.put("deadAt", Instant.ofEpochMilli(letter.deadAtMillis()).toString());
          letters.add(one);
        }
        view.put("deadLetters", letters);
      } catch (RuntimeException e) {
        view.put("error", String.valueOf(e.getMessage()));
      }
    }
    return view;
  }

  /**
   * Requeues one dead letter ({@code id}) or the oldest {@link #REQUEUE_BATCH} ({@code id} null), or purges them all.
   *
   * @return what was done, and the queue's figures after it
   */
  static Map<String, Object> deadLetters(Registry registry, String name, String action, @Nullable String id) {
    JobQueue queue = queue(registry, name);
    Map<String, Object> result = new LinkedHashMap<>();
    switch (action) {
      case "requeue" -> {
        List<String> ids = new ArrayList<>();
        if (id != null) {
          ids.add(id);
        } else {
          for (DeadLetter letter : queue.deadLetters(REQUEUE_BATCH)) {
            ids.add(letter.id());
          }
        }
        List<String> requeued = new ArrayList<>();
        for (String one : ids) {
          if (queue.requeueDead(one)) {
            requeued.add(one);
          }
        }
        if (id != null && requeued.isEmpty()) {
          throw new IllegalArgumentException("queue '" + name + "' has no dead letter with id '" + id
              + "' (or its stored data is corrupt: see its lastError)");
        }
        result.put("requeued", requeued);
      }
      case "purge" -> {
        if (id != null) {
          throw new IllegalArgumentException("purge deletes every dead letter of the queue: give no id");
        }
        result.put("purged", queue.purgeDead());
      }
      default -> throw new IllegalArgumentException("unknown action '" + action + "': use requeue or purge");
    }
    result.put("queue", figures(queue));
    return result;
  }

  private static JobQueue queue(Registry registry, String name) {
    if (!has(registry, name)) {
      throw new IllegalArgumentException("no queue named '" + name + "'; queues: " + registry.namesOf(JobQueue.class));
    }
    return registry.get(name, JobQueue.class);
  }

  private static Map<String, Object> figures(JobQueue queue) {
    Map<String, Object> view = new LinkedHashMap<>();
    try {
      QueueStats stats = queue.stats();
      view.put("ready", stats.ready());
      view.put("readyByPriority", stats.readyByPriority());
      view.put("delayed", stats.delayed());
      view.put("inFlight", stats.inFlight());
      view.put("dead", stats.dead());
      view.put("oldestReadyAgeMillis", stats.oldestReadyAgeMillis());
    } catch (RuntimeException e) { // Redis down: the view still answers, naming why the figures are missing
      view.put("error", String.valueOf(e.getMessage()));
    }
    return view;
  }
}
