package dev.cachalot.app.users;

import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.app.common.Messages;
import dev.cachalot.engine.AccessTokenView;
import dev.cachalot.engine.EngineAdmin;
import dev.cachalot.engine.UserView;
import java.util.List;
import java.util.Optional;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/** Server-mode users and their access tokens (never a password, a hash or a token's secret). */
public final class UsersViewModel {
    private final Optional<EngineAdmin> admin;
    private final Async async;
    private final ObservableList<UserView> users = FXCollections.observableArrayList();
    private final ObservableList<AccessTokenView> tokens = FXCollections.observableArrayList();
    private final ReadOnlyStringWrapper error = new ReadOnlyStringWrapper("");
    private final ReadOnlyStringWrapper notice = new ReadOnlyStringWrapper("");

    public UsersViewModel(AppContext context) {
        this.admin = context.admin();
        this.async = context.async();
        if (admin.isEmpty()) error.set("This engine does not manage users.");
    }

    /** Whether this engine manages users (buttons stay disabled otherwise). */
    public boolean available() {
        return admin.isPresent();
    }

    public void refresh() {
        admin.ifPresent(a -> async.run(() -> new Lists(a.users(), a.accessTokens()), lists -> {
            users.setAll(lists.users());
            tokens.setAll(lists.tokens());
            error.set("");
        }, e -> error.set(Messages.human(e))));
    }

    public AddUserViewModel addUser() {
        return new AddUserViewModel(admin.orElseThrow(), async);
    }

    public CreateTokenViewModel createToken() {
        return new CreateTokenViewModel(admin.orElseThrow(), async, users.stream().map(UserView::name).toList());
    }

    /** After a dialog added something: says so and shows it in the tables. */
    public void done(String what) {
        notice.set(what);
        refresh();
    }

    public void removeUser(UserView user) {
        admin.ifPresent(a -> async.run(() -> a.removeUser(user.name()), removed -> done(removed
                ? "User " + user.name() + " removed, with their access tokens." : "There was no user " + user.name() + "."),
                e -> error.set(Messages.human(e))));
    }

    public void revokeToken(AccessTokenView token) {
        admin.ifPresent(a -> async.run(() -> a.revokeAccessToken(token.name()), revoked -> done(revoked
                ? "Access token " + token.name() + " revoked." : "There was no access token " + token.name() + "."),
                e -> error.set(Messages.human(e))));
    }

    public ObservableList<UserView> users() { return users; }
    public ObservableList<AccessTokenView> tokens() { return tokens; }
    public ReadOnlyStringProperty errorProperty() { return error.getReadOnlyProperty(); }
    public ReadOnlyStringProperty noticeProperty() { return notice.getReadOnlyProperty(); }

    private record Lists(List<UserView> users, List<AccessTokenView> tokens) {
    }
}
