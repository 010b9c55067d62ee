package dev.ballast.queue;

/**
 * The calling thread was interrupted while it waited for the queue's backend; the thread's interrupt flag
 * is set again. Like a {@link QueueUnavailableException}, the operation may or may not have been done (an
 * enqueue may be stored): enqueue again with the same idempotency key once the thread may go on. Not a
 * subclass of {@code QueueUnavailableException}, so a loop that retries while Redis is unavailable does
 * not spin on an interrupt.
 */
public class QueueInterruptedException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** With a message and the interrupted wait's exception. */
  public QueueInterruptedException(String message, Throwable cause) {
    super(message, cause);
  }
}
