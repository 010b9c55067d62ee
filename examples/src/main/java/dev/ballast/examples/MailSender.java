package dev.ballast.examples;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Sends order-confirmation e-mails for the job workers: 40 to 120 ms per mail (an SMTP exchange), and a flaky relay that
 * refuses 5 % of them (so retries with backoff, and dead letters, have something to do).
 */
final class MailSender {

  private final double failureRatio;

  MailSender(double failureRatio) {
    this.failureRatio = failureRatio;
  }

  /** The demo's relay: 5 % of sends fail. */
  static MailSender flaky() {
    return new MailSender(0.05);
  }

  /**
   * Sends the confirmation of {@code orderId}.
   *
   * @throws IllegalStateException when the relay refuses it
   * @throws InterruptedException if the worker is stopped meanwhile
   */
  void sendConfirmation(String orderId) throws InterruptedException {
    TimeUnit.MICROSECONDS.sleep(ThreadLocalRandom.current().nextLong(40_000, 120_000));
    if (ThreadLocalRandom.current().nextDouble() < failureRatio) {
      throw new IllegalStateException("mail relay: 451 temporary failure for order " + orderId);
    }
  }
}
