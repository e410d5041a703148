package io.github.pveusbgadget.lock;

/** A held lock: {@link #close()} releases it and throws nothing (a lock that cannot be released expires). */
public interface Lock extends AutoCloseable {
    @Override
    void close();
}
