package dev.cachalot.cli;

import dev.cachalot.engine.EngineAdmin;
import dev.cachalot.engine.UserView;
import java.util.Arrays;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code users add|list|remove}: who may sign in to a server-mode engine. Passwords come from a prompt (echo off) or the
 * first line of standard input, never from an argument; none is ever printed.
 */
@Command(name = "users", mixinStandardHelpOptions = true,
        description = "Manage the users who may sign in to the registry (server mode).",
        subcommands = {UsersCommand.Add.class, UsersCommand.ListUsers.class, UsersCommand.Remove.class})
final class UsersCommand {

    @Command(name = "add", mixinStandardHelpOptions = true,
            description = "Add a user; the password is asked for (echo off) or read from the first line of standard input.")
    static final class Add extends EngineCommand {
        @Parameters(paramLabel = "NAME", description = "1-64 letters, digits, '.', '_' or '-'.")
        String name;

        @Option(names = "--role", required = true, paramLabel = "pull|push|admin",
                description = "pull: read; push: read, push and delete; admin: everything, including management.")
        String role;

        @Option(names = "--repositories", paramLabel = "PATTERN",
                description = "Where the role applies: * (default: all), a namespace such as team/*, or one repository.")
        String repositories;

        @Override
        protected int run(EngineAdmin engine) {
            char[] password = SecretInput.system().secret("Password for " + name + ": ");
            try {
                UserView user = engine.addUser(name, role, repositories, password);
                out().println("Added user " + user.name() + " (" + user.role() + " on " + user.repositories() + ")");
            } finally {
                Arrays.fill(password, '\0');
            }
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List users (never their passwords).")
    static final class ListUsers extends EngineCommand {
        @Option(names = "--json", description = "Print JSON.")
        boolean json;

        @Override
        protected int run(EngineAdmin engine) throws Exception {
            if (json) {
                printJson(engine.users());
                return 0;
            }
            Table t = new Table("NAME", "ROLE", "REPOSITORIES", "CREATED");
            for (UserView u : engine.users()) t.row(u.name(), u.role(), u.repositories(), u.created());
            t.print(out());
            return 0;
        }
    }

    @Command(name = "remove", mixinStandardHelpOptions = true, description = "Remove a user and their access tokens.")
    static final class Remove extends EngineCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        protected int run(EngineAdmin engine) {
            if (!engine.removeUser(name)) throw new IllegalArgumentException("there is no user named '" + name + "'");
            out().println("Removed user " + name);
            return 0;
        }
    }
}
