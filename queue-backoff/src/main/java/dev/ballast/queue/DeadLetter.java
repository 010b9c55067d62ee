package dev.ballast.queue;

import java.util.Arrays;

/**
 * A job in the dead-letter set: it spent its attempts, passed its deadline, or its payload did not
 * decode. Re-queue it with {@link JobQueue#requeueDead} once the cause is fixed.
 *
 * @param id the job's id
 * @param type its job type's name
 * @param attempts how many attempts it had
 * @param lastError the last attempt's error (class and message) or why it was dead-lettered
 * @param deadAtMillis when it was dead-lettered, in the backend's milliseconds (Unix time on Redis)
 * @param payload the encoded payload, for inspection
 */
public record DeadLetter(String id, String type, int attempts, String lastError, long deadAtMillis, byte[] payload) {

  /** Copies the payload so the record stays immutable. */
  public DeadLetter {
    payload = payload == null ? new byte[0] : payload.clone();
  }

  /** A copy of the encoded payload. */
  @Override
  public byte[] payload() {
    return payload.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeadLetter d && id.equals(d.id) && type.equals(d.type) && attempts == d.attempts
        && lastError.equals(d.lastError) && deadAtMillis == d.deadAtMillis && Arrays.equals(payload, d.payload);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  @Override
  public String toString() {
    return "DeadLetter[" + id + ", " + type + ", attempts=" + attempts + ", " + lastError + "]";
  }
}
