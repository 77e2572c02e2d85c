package dev.cachalot.app.users;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.TestEngine;
import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.engine.CreatedAccessToken;
import dev.cachalot.engine.Engine;
import dev.cachalot.engine.UserView;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Users page's view models on the real engine, without a window. */
class UsersViewModelTest {
    @TempDir
    Path data;
    private Engine engine;
    private UsersViewModel vm;

    @BeforeEach
    void open() {
        engine = TestEngine.open(data);
        vm = new UsersViewModel(new AppContext(engine, Async.direct(), data.toString()));
    }

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void aRefusedUserKeepsTheTypedPasswordsAndAnAddedOneClearsThem() {
        AddUserViewModel add = vm.addUser();
        add.nameProperty().set("bad name!");
        add.passwordProperty().set("long-enough-password");
        add.confirmProperty().set("long-enough-password");
        assertThat(add.valid().get()).isTrue();
        List<String> refusals = new ArrayList<>();
        add.finish(v -> { }, refusals::add);
        assertThat(refusals).singleElement().asString().isNotBlank();
        assertThat(add.passwordProperty().get()).as("kept to correct the name").isEqualTo("long-enough-password");
        assertThat(engine.users()).isEmpty();

        add.nameProperty().set("alice");
        List<UserView> added = new ArrayList<>();
        add.finish(added::add, refusals::add);
        assertThat(added).extracting(UserView::name).containsExactly("alice");
        assertThat(add.passwordProperty().get()).isEmpty();
        assertThat(add.confirmProperty().get()).isEmpty();
        assertThat(add.valid().get()).isFalse();
    }

    @Test
    void passwordsThatDifferAreNamedAndNotSent() {
        AddUserViewModel add = vm.addUser();
        add.nameProperty().set("bob");
        add.passwordProperty().set("long-enough-password");
        add.confirmProperty().set("long-enough-passwore");
        assertThat(add.mismatchProperty().get()).isEqualTo("The two passwords differ.");
        assertThat(add.valid().get()).isFalse();
    }

    @Test
    void aTokenThatNeverExpiresIsListedWithoutItsSecret() {
        engine.addUser("ci", "push", null, "long-enough-password".toCharArray());
        vm.refresh();
        CreateTokenViewModel create = vm.createToken();
        assertThat(create.userProperty().get()).as("the first user is chosen").isEqualTo("ci");
        create.nameProperty().set("forever");
        create.expiryProperty().set(CreateTokenViewModel.Expiry.NEVER);
        List<CreatedAccessToken> created = new ArrayList<>();
        create.finish(created::add, e -> { throw new AssertionError(e); });
        vm.done("created");

        assertThat(created).singleElement().satisfies(c -> assertThat(c.secret()).isNotBlank());
        assertThat(vm.tokens()).singleElement().satisfies(t -> {
            assertThat(t.name()).isEqualTo("forever");
            assertThat(t.expires()).isNull();
            assertThat(t.toString()).doesNotContain(created.get(0).secret());
        });
        vm.revokeToken(vm.tokens().get(0));
        assertThat(vm.tokens()).isEmpty();
        assertThat(engine.accessTokens()).isEmpty();
    }
}
