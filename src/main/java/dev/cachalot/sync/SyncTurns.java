package dev.cachalot.sync;

import java.util.Optional;

/**
 * Across engines sharing one database, one runs a rule's sync at a time: a run takes the rule's turn first. An engine
 * alone always gets it.
 */
@FunctionalInterface
public interface SyncTurns {

    /** Every turn granted: an engine with a database of its own. */
    SyncTurns SINGLE_NODE = ruleName -> Optional.of(() -> { });

    /** The rule's turn if no other engine holds it now, else empty (without waiting). Closing it gives it back. */
    Optional<Turn> tryTurn(String ruleName);

    /** A held turn. */
    interface Turn extends AutoCloseable {
        @Override
        void close();
    }
}
