package dev.cachalot;

import dev.cachalot.cli.CachalotCommand;

/**
 * Entry point: with no arguments opens the desktop app, otherwise runs a CLI command.
 * Does not extend {@code Application} so the JavaFX runtime can stay on the class path.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.exit(CachalotCommand.run(args));
    }
}
