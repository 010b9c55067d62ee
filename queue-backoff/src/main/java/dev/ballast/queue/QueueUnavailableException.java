package dev.ballast.queue;

/**
 * The queue's backend (Redis) could not be reached or refused the operation. An enqueue that throws this
 * may or may not have been stored (the command can reach Redis after the client gave up waiting); enqueue
 * again with the same idempotency key to be sure it is stored once.
 */
public class QueueUnavailableException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** With a message and the backend's error. */
  public QueueUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
