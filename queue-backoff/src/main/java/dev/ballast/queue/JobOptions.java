package dev.ballast.queue;

import dev.ballast.core.Backoff;
import dev.ballast.core.internal.Check;
import dev.ballast.core.internal.OptionsSet;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * How one job is enqueued. Immutable; {@code null} fields mean "the queue's default" (see
 * {@link QueueConfig}).
 * <pre>{@code
 * JobOptions options = JobOptions.builder().priority(2).delay(Duration.ofMinutes(1))
 *     .idempotencyKey("order-42").build();
 * }</pre>
 *
 * @param priority 0 (lowest) to {@code QueueConfig.priorityWeights().size() - 1}, or null for
 *     {@link QueueConfig#defaultPriority()}
 * @param delay how long the job waits before it may run (zero or positive)
 * @param maxAttempts attempts in all, at least 1, or null for {@link QueueConfig#maxAttempts()}
 * @param backoff delays between attempts, or null for {@link QueueConfig#backoff()}; its random
 *     generator is not stored with the job
 * @param idempotencyKey when set, a second enqueue with the same key within the queue's idempotency
 *     window does nothing and returns the first job's id; at most 200 characters
 * @param deadline when set, a job not started within this time of its enqueue is dead-lettered
 *     instead of run (positive)
 */
public record JobOptions(@Nullable Integer priority, Duration delay, @Nullable Integer maxAttempts,
    @Nullable Backoff backoff, @Nullable String idempotencyKey, @Nullable Duration deadline) {

  private static final JobOptions DEFAULTS = new JobOptions(null, Duration.ZERO, null, null, null, null);

  /** Validates every field; messages name the field. */
  public JobOptions {
    if (priority != null) {
      Check.atLeast(priority, 0, "JobOptions.priority");
    }
    Check.notNegative(delay, "JobOptions.delay");
    if (maxAttempts != null) {
      Check.atLeast(maxAttempts, 1, "JobOptions.maxAttempts");
    }
    if (idempotencyKey != null) {
      Check.notBlank(idempotencyKey, "JobOptions.idempotencyKey");
      Check.atMost(idempotencyKey.length(), 200, "JobOptions.idempotencyKey length");
    }
    if (deadline != null) {
      Check.positive(deadline, "JobOptions.deadline");
    }
  }

  /** Every option at the queue's default, no delay, no key, no deadline. */
  public static JobOptions defaults() {
    return DEFAULTS;
  }

  /** A builder starting from {@link #defaults()}. */
  public static Builder builder() {
    return new Builder(DEFAULTS);
  }

  /** A builder starting from these options; each option may be overridden once. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** Builds {@link JobOptions}; each option may be set once ({@link IllegalStateException} otherwise). */
  public static final class Builder {
    private final OptionsSet set = new OptionsSet("JobOptions");
    private @Nullable Integer priority;
    private Duration delay;
    private @Nullable Integer maxAttempts;
    private @Nullable Backoff backoff;
    private @Nullable String idempotencyKey;
    private @Nullable Duration deadline;

    private Builder(JobOptions from) {
      priority = from.priority;
      delay = from.delay;
      maxAttempts = from.maxAttempts;
      backoff = from.backoff;
      idempotencyKey = from.idempotencyKey;
      deadline = from.deadline;
    }

    /** See {@link JobOptions#priority()}. */
    public Builder priority(int priority) {
      set.claim("priority");
      this.priority = priority;
      return this;
    }

    /** See {@link JobOptions#delay()}. */
    public Builder delay(Duration delay) {
      set.claim("delay");
      this.delay = delay;
      return this;
    }

    /** See {@link JobOptions#maxAttempts()}. */
    public Builder maxAttempts(int maxAttempts) {
      set.claim("maxAttempts");
      this.maxAttempts = maxAttempts;
      return this;
    }

    /** See {@link JobOptions#backoff()}. */
    public Builder backoff(Backoff backoff) {
      set.claim("backoff");
      this.backoff = Check.notNull(backoff, "JobOptions.backoff");
      return this;
    }

    /** See {@link JobOptions#idempotencyKey()}. */
    public Builder idempotencyKey(String key) {
      set.claim("idempotencyKey");
      this.idempotencyKey = key;
      return this;
    }

    /** See {@link JobOptions#deadline()}. */
    public Builder deadline(Duration deadline) {
      set.claim("deadline");
      this.deadline = deadline;
      return this;
    }

    /**
     * Builds the options.
     *
     * @throws IllegalArgumentException naming the field that is out of range
     */
    public JobOptions build() {
      return new JobOptions(priority, delay, maxAttempts, backoff, idempotencyKey, deadline);
    }
  }
}
