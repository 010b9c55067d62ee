package org.reactivestreams;

/** A test stand-in with the name of the Reactive Streams type: Ballast recognises it by name only. */
public interface Publisher<T> {
  /** As the real one. */
  void subscribe(Object subscriber);
}
