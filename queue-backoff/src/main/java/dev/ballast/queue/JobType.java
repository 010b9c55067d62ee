package dev.ballast.queue;

import dev.ballast.core.internal.Check;

/**
 * A kind of job: its name (stored with every job, so keep it stable across deployments) and the codec
 * of its payload. Register a handler for it with {@link JobQueue#register}, or declare it with
 * {@link JobQueue#declare} on an instance that only enqueues.
 * <pre>{@code
 * static final JobType<String> EMAIL = JobType.of("email", JobCodec.utf8());
 * }</pre>
 *
 * @param name letters, digits, '.', '_' or '-', at most 64 characters
 * @param codec how payloads become bytes and back
 * @param <T> the payload type
 */
public record JobType<T>(String name, JobCodec<T> codec) {

  /** Validates both fields; messages name the field. */
  public JobType {
    Check.notBlank(name, "JobType.name");
    if (name.length() > 64 || !name.matches("[A-Za-z0-9._-]+")) {
      throw new IllegalArgumentException(
          "JobType.name must be 1 to 64 letters, digits, '.', '_' or '-', was '" + name + "'");
    }
    Check.notNull(codec, "JobType.codec");
  }

  /**
   * A job type.
   *
   * @throws IllegalArgumentException if the name is not valid
   */
  public static <T> JobType<T> of(String name, JobCodec<T> codec) {
    return new JobType<>(name, codec);
  }
}
