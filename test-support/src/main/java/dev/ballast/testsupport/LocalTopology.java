package dev.ballast.testsupport;

/** A set of local servers a test extension owns: launched before a class, healed after each test. */
interface LocalTopology extends AutoCloseable {

  /** Resumes paused nodes, starts stopped ones and waits until the topology is healthy again. */
  void heal();

  @Override
  void close();
}
