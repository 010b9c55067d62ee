package dev.ballast.spring;

import dev.ballast.core.Bulkhead;
import dev.ballast.core.CircuitBreaker;
import dev.ballast.core.ConcurrencyLimiter;
import dev.ballast.core.RateLimiter;
import dev.ballast.core.Registry;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.Access;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.util.ClassUtils;

/**
 * The actuator endpoint {@code ballast}: reads show the switchboards (switches with who, why and since; modes;
 * triggers), the circuit breakers' states, the rate limiters, bulkheads and concurrency limiters, the caches and
 * the job queues (depths, in flight, dead letters; one queue with its dead letters at {@code ballast/<queue>});
 * writes flip a switch or enter and leave a mode, and requeue or purge a queue's dead letters. Writes are off unless {@code management.endpoint.ballast.access=unrestricted} (the endpoint's
 * default access is read-only), and are secured as every actuator write is (Spring Security when present).
 */
@Endpoint(id = "ballast", defaultAccess = Access.READ_ONLY)
public class BallastEndpoint {

  private static final boolean DEGRADATION =
      ClassUtils.isPresent("dev.ballast.degradation.Switchboard", BallastEndpoint.class.getClassLoader());
  private static final String CACHE_SPEC = "dev.ballast.cache.CacheSpec";
  private static final boolean QUEUES =
      ClassUtils.isPresent("dev.ballast.queue.JobQueue", BallastEndpoint.class.getClassLoader());

  private final Registry registry;

  /**
   * An endpoint over {@code registry}.
   *
   * @param registry what it shows and flips
   */
  public BallastEndpoint(Registry registry) {
    this.registry = registry;
  }

  /**
   * What the registry holds and the state of its switchboards and breakers.
   *
   * @return a JSON-ready view
   */
  @ReadOperation
  public Map<String, Object> ballast() {
    Map<String, Object> view = new LinkedHashMap<>();
    if (DEGRADATION) {
      view.put("switchboards", SwitchboardView.all(registry));
    }
    Map<String, Object> breakers = new LinkedHashMap<>();
    for (String name : registry.namesOf(CircuitBreaker.class)) {
      breakers.put(name, String.valueOf(registry.get(name, CircuitBreaker.class).state()));
    }
    view.put("circuitBreakers", breakers);
    view.put("rateLimiters", registry.namesOf(RateLimiter.class));
    Map<String, Object> bulkheads = new LinkedHashMap<>();
    for (String name : registry.namesOf(Bulkhead.class)) {
      Bulkhead bulkhead = registry.get(name, Bulkhead.class);
      bulkheads.put(name, Map.of("inFlight", bulkhead.inFlight(),
          "maxConcurrentCalls", bulkhead.config().maxConcurrentCalls()));
    }
    view.put("bulkheads", bulkheads);
    Map<String, Object> limits = new LinkedHashMap<>();
    for (String name : registry.namesOf(ConcurrencyLimiter.class)) {
      ConcurrencyLimiter limiter = registry.get(name, ConcurrencyLimiter.class);
      limits.put(name, Map.of("limit", limiter.limit(), "inFlight", limiter.inFlight()));
    }
    view.put("concurrencyLimits", limits);
    if (ClassUtils.isPresent(CACHE_SPEC, BallastEndpoint.class.getClassLoader())) {
      view.put("caches", CacheNames.of(registry));
    }
    if (QUEUES) {
      view.put("queues", QueueView.all(registry));
    }
    return view;
  }

  /**
   * One job queue: its depths ({@code ready} by priority, {@code delayed}, {@code inFlight}, {@code dead}, the
   * oldest ready job's age) and its oldest dead letters (id, type, attempts, last error, when). A queue whose
   * backend does not answer shows {@code error} instead of figures.
   *
   * @param queue the queue's name ({@code GET /actuator/ballast/<queue>})
   * @return a JSON-ready view
   * @throws InvalidEndpointRequestException (HTTP 400) if there is no such queue
   */
  @ReadOperation
  public Map<String, Object> queue(@Selector String queue) {
    return badRequestIfRefused(() -> QueueView.of(registry, queueBackoff(queue)));
  }

  /**
   * Requeues dead letters of a job queue (attempts reset) or purges them: {@code POST /actuator/ballast/<queue>}
   * with {@code {"action": "requeue", "id": "..."}} (one dead letter), {@code {"action": "requeue"}} (the oldest
   * 1000) or {@code {"action": "purge"}} (all of them).
   *
   * @param queue the queue's name
   * @param action {@code requeue} or {@code purge}
   * @param id the dead letter to requeue, or null
   * @return what was done and the queue's figures after it
   * @throws InvalidEndpointRequestException (HTTP 400) if the queue, the action or the dead letter is unknown
   */
  @WriteOperation
  public Map<String, Object> deadLetters(@Selector String queue, String action, @Nullable String id) {
    return badRequestIfRefused(() -> QueueView.deadLetters(registry, queueBackoff(queue), action, id));
  }

  /**
   * Runs {@code operation}; an {@link IllegalArgumentException} (an unknown switchboard, switch, mode, queue,
   * action or dead letter) becomes the actuator's {@link InvalidEndpointRequestException}, which HTTP answers with
   * 400 and the message, not 500.
   */
  private static Map<String, Object> badRequestIfRefused(java.util.function.Supplier<Map<String, Object>> operation) {
    try {
      return operation.get();
    } catch (IllegalArgumentException e) {
      throw new InvalidEndpointRequestException(e.getMessage(), e.getMessage(), e);
    }
  }

  private static String queueBackoff(String queue) {
    if (!QUEUES) {
      throw new IllegalArgumentException("no queues: dev.ballast:ballast-queue-backoff is not on the class path");
    }
    return queue;
  }

  /**
   * Flips a switch ({@code serve-cached}, {@code read-only}, {@code feature:<name>}) of a switchboard, or enters
   * or leaves a mode when {@code mode} is given instead of {@code switchName}.
   *
   * @param switchboard the switchboard's name
   * @param switchName the switch's id, or null when {@code mode} is given
   * @param mode a mode's name, or null when {@code switchName} is given
   * @param degraded true to degrade (or enter the mode), false to restore (or leave it)
   * @param who who flips it, for the log and the switch's record, when nobody is signed in; with a signed-in
   *     user it is only kept in {@code why} (when it names someone else), since a request body can claim anything
   * @param why why, for the log and the switch's record
   * @param principal the signed-in user (Spring Security), recorded as who flipped it; null without one
   * @return the switchboard after the change
   * @throws InvalidEndpointRequestException (HTTP 400) if the switchboard, switch or mode is unknown, neither or
   *     both of {@code switchName} and {@code mode} are given, or nobody is signed in and {@code who} is blank
   */
  @WriteOperation
  public Map<String, Object> flip(String switchboard, @Nullable String switchName, @Nullable String mode,
      boolean degraded, @Nullable String who, String why, @Nullable Principal principal) {
    return badRequestIfRefused(() -> {
      if (!DEGRADATION) {
        throw new IllegalArgumentException("no switchboards: dev.ballast:ballast-degradation is not on the class"
            + " path");
      }
      if ((switchName == null) == (mode == null)) {
        throw new IllegalArgumentException("give either switchName or mode");
      }
      Author author = Author.of(principal, who, why);
      return switchName != null
          ? SwitchboardView.flip(registry, switchboard, switchName, degraded, author.who(), author.why())
          : SwitchboardView.mode(registry, switchboard, mode, degraded, author.who(), author.why());
    });
  }

  /**
   * Who flips a switch, as the switch records it: the signed-in user when there is one (the body's {@code who},
   * when it names someone else, kept at the end of {@code why}), else the body's {@code who}.
   */
  record Author(String who, String why) {
    static Author of(@Nullable Principal principal, @Nullable String who, String why) {
      String signedIn = principal == null ? null : principal.getName();
      if (signedIn != null && !signedIn.isBlank()) {
        boolean claimsOther = who != null && !who.isBlank() && !who.strip().equals(signedIn);
        return new Author(signedIn, claimsOther ? why + " (request said who: " + who.strip() + ")" : why);
      }
      if (who == null || who.isBlank()) {
        throw new IllegalArgumentException("give who: nobody is signed in to name who flips the switch");
      }
      return new Author(who, why);
    }
  }

  /** Cache names, in a class of its own so cache-tiers is loaded only when present. */
  private static final class CacheNames {
    static Object of(Registry registry) {
      return registry.namesOf(dev.ballast.cache.CacheSpec.class);
    }
  }
}
