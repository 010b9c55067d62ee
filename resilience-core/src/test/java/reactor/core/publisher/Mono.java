package reactor.core.publisher;

import org.reactivestreams.Publisher;

/** A test stand-in with the name of Reactor's Mono: Ballast recognises it by name only. */
public abstract class Mono<T> implements Publisher<T> {}
