package dev.cachalot.app.common;

import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * How view models run engine work off the UI thread and come back to it. The app uses {@link FxAsync}
 * ({@code Task}s on a small pool, results on the FX thread); view-model tests use {@link #direct()}.
 */
public interface Async {

    /** Runs {@code work} in the background; {@code done} or {@code failed} runs on the UI thread. */
    <T> Cancellable run(Callable<T> work, Consumer<T> done, Consumer<Throwable> failed);

    /** Runs {@code action} on the UI thread (for engine listeners that call from engine threads). */
    void post(Runnable action);

    /** Handle of running work. */
    interface Cancellable {
        void cancel();
    }

    /** Runs everything at once on the caller's thread: for tests without a window. */
    static Async direct() {
        return new Async() {
            @Override
            public <T> Cancellable run(Callable<T> work, Consumer<T> done, Consumer<Throwable> failed) {
                T result;
                try {
                    result = work.call();
                } catch (Exception e) {
                    failed.accept(e);
                    return () -> { };
                }
                done.accept(result);
                return () -> { };
            }

            @Override
            public void post(Runnable action) {
                action.run();
            }
        };
    }
}
