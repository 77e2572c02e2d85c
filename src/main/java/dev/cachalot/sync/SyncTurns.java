package dev.cachalot.sync;

import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Across engines sharing one database, one runs a rule's sync at a time: a run takes the rule's turn first and holds it
 * to the end. An engine alone always gets it.
 *
 * <p>The turn also tells whether a run recorded as RUNNING still goes on: a process that died mid-run (kill -9, power
 * loss) never records its end, and must not leave the rule "running" for ever.
 */
public interface SyncTurns {

    /**
     * Every turn granted: an engine with a database of its own. A run another process on the data folder recorded goes
     * on while that process lives.
     */
    SyncTurns SINGLE_NODE = new SyncTurns() {
        @Override
        public Optional<Turn> tryTurn(String ruleName) {
            return Optional.of(() -> { });
        }

        @Override
        public boolean isHeld(String ruleName, String runBy) {
            return RunOwner.isAlive(runBy);
        }
    };

    /**
     * Turns shared with other engines: {@code tryTurn} takes a rule's turn, {@code heldAnywhere} says whether any engine
     * holds it now (whoever recorded the run: the engines' turns are where their lives show).
     */
    static SyncTurns shared(Function<String, Optional<Turn>> tryTurn, Predicate<String> heldAnywhere) {
        return new SyncTurns() {
            @Override
            public Optional<Turn> tryTurn(String ruleName) {
                return tryTurn.apply(ruleName);
            }

            @Override
            public boolean isHeld(String ruleName, String runBy) {
                return heldAnywhere.test(ruleName);
            }
        };
    }

    /** The rule's turn if no other engine holds it now, else empty (without waiting). Closing it gives it back. */
    Optional<Turn> tryTurn(String ruleName);

    /**
     * Whether the run of {@code ruleName} that {@code runBy} (a {@link RunOwner} text, or null) recorded as running may
     * still go on: false only when no living engine holds the rule's turn.
     */
    boolean isHeld(String ruleName, String runBy);

    /** A held turn. */
    interface Turn extends AutoCloseable {
        @Override
        void close();
    }
}
