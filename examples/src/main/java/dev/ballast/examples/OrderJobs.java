package dev.ballast.examples;

/** Where checkout puts an order's confirmation e-mail, to be sent by workers after the response. */
interface OrderJobs {

  /** Queues the confirmation of {@code orderId}; returns once it is stored. */
  void enqueue(String orderId);
}
