package reactor.core.publisher;

import org.reactivestreams.Publisher;

/** A test stand-in with the name of Reactor's Flux: Ballast recognises it by name only. */
public abstract class Flux<T> implements Publisher<T> {}
