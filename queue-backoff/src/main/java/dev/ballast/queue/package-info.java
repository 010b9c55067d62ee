/**
 * The job queue: {@link dev.ballast.queue.JobQueue} (in memory or on Redis, acknowledged only after the
 * handler succeeded, dead-lettered after its attempts), configured by {@link dev.ballast.queue.QueueConfig}
 * and worked on by {@link dev.ballast.queue.Workers}. Non-null unless marked {@code @Nullable}: a job's
 * options left at the queue's default, a queue without meters or with the system clock, workers without a
 * rate limiter or on the queue's own threads.
 */
@NullMarked
package dev.ballast.queue;

import org.jspecify.annotations.NullMarked;
