package kotlin.coroutines;

/** A test stand-in with the name of the parameter Kotlin adds to every suspend function. */
public interface Continuation<T> {}
