package dev.cachalot.cli;

/** Placeholder until the CLI lands. */
public final class CachalotCommand {
    private CachalotCommand() {
    }

    public static int run(String[] args) {
        System.err.println("cachalot: not yet implemented");
        return 1;
    }
}
