package dev.ballast.examples;

/**
 * What the storefront instances of one run share and do not own: the database, the payment provider,
 * the mail relay, and the run's ledger of jobs. Fresh for each run, so the counts start at zero.
 */
record Backends(SimulatedDatabase database, PaymentProvider payments, MailSender mail, JobLedger ledger) {

  static Backends fresh() {
    return new Backends(SimulatedDatabase.standard(), new PaymentProvider(), MailSender.flaky(), new JobLedger());
  }
}
