package dev.cachalot.app.shell;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.app.common.Messages;
import dev.cachalot.engine.EngineApi;
import dev.cachalot.engine.EngineSettings;

/**
 * The registry server as the shell drives it: start on the saved address (or one the user picked, which is then
 * saved), restart after a settings change, stop when the window closes. Failures come back as what the window has to
 * ask: another port, or quit because another Cachalot already serves the data folder.
 */
public final class ServerViewModel {

    /** What the window does when a start fails. */
    public interface StartFailure {
        /** The address is taken by another program (or refused for another reason the user can fix by another port). */
        void portUnavailable(String listen, String reason);

        /** Another Cachalot process serves this data folder: another port would not help. */
        void heldByAnotherCachalot(String reason);
    }

    private final EngineApi engine;
    private final Async async;

    public ServerViewModel(AppContext context) {
        this.engine = context.engine();
        this.async = context.async();
    }

    /**
     * Starts the server in the background on {@code listenOrNull}, or on the saved address when null; a picked
     * address is saved once the server runs there. {@code started} runs on the UI thread.
     */
    public void start(String listenOrNull, Runnable started, StartFailure failure) {
        async.run(() -> {
            String listen = listenOrNull != null ? listenOrNull : engine.settings().listen();
            try {
                engine.startServer(listen);
            } catch (RuntimeException e) {
                throw new FailedStart(listen, e);
            }
            if (listenOrNull != null) {
                EngineSettings s = engine.settings();
                engine.updateSettings(new EngineSettings(listen, s.defaultFreshness(), s.maxCacheBytes()));
            }
            return listen;
        }, listen -> started.run(), e -> {
            if (!(e instanceof FailedStart f)) return;
            String reason = Messages.human(f.getCause());
            if (heldByAnotherCachalot(f.getCause())) failure.heldByAnotherCachalot(reason);
            else failure.portUnavailable(f.listen, reason);
        });
    }

    /** Stops the server and starts it again on {@code listen} (a new address from the Settings page). */
    public void restart(String listen, Runnable started, StartFailure failure) {
        async.run(() -> {
            engine.stopServer();
            return null;
        }, v -> start(listen, started, failure), e -> start(listen, started, failure));
    }

    /** Stops the server in the background, so the UI thread is free while connections drain. */
    public void stop() {
        async.run(() -> {
            engine.stopServer();
            return null;
        }, v -> { }, e -> { });
    }

    /** The engine refuses a data folder another Cachalot process serves; another port would not help. */
    static boolean heldByAnotherCachalot(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("already serving")) return true;
        }
        return false;
    }

    /** A start failed; carries the address for the "another port" question. */
    private static final class FailedStart extends RuntimeException {
        final String listen;

        FailedStart(String listen, RuntimeException cause) {
            super(cause.getMessage(), cause);
            this.listen = listen;
        }
    }
}
