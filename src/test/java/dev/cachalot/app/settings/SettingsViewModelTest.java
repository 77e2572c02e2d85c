package dev.cachalot.app.settings;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cachalot.app.TestEngine;
import dev.cachalot.app.common.AppContext;
import dev.cachalot.app.common.Async;
import dev.cachalot.engine.Engine;
import dev.cachalot.storage.DataFolder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Settings page's model on the real engine of a fresh data folder (its defaults: 127.0.0.1:5000, revalidate). */
class SettingsViewModelTest {
    @TempDir
    Path data;
    private Engine engine;
    private final List<String> restarts = new ArrayList<>();
    private SettingsViewModel vm;

    @BeforeEach
    void open() {
        engine = Engine.open(new DataFolder(data), TestEngine.NO_PASSPHRASE);
        vm = new SettingsViewModel(new AppContext(engine, Async.direct(), data.toString()), restarts::add);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void loadsTheEnginesSettings() {
        vm.load();
        assertThat(vm.hostProperty().get()).isEqualTo("127.0.0.1");
        assertThat(vm.portProperty().get()).isEqualTo("5000");
        assertThat(vm.freshnessProperty().get()).isEqualTo("revalidate");
        assertThat(vm.validProperty().get()).isTrue();
    }

    @Test
    void refusesAPortOutOfRangeWithAReason() {
        vm.portProperty().set("70000");
        assertThat(vm.portErrorProperty().get()).contains("1 to 65535");
        assertThat(vm.validProperty().get()).isFalse();
    }

    @Test
    void refusesAnUnknownFreshnessPolicyWithTheParsersReason() {
        vm.freshnessProperty().set("sometimes");
        assertThat(vm.freshnessErrorProperty().get()).contains("ttl:");
        vm.freshnessProperty().set("ttl:10m");
        assertThat(vm.freshnessErrorProperty().get()).isEmpty();
    }

    @Test
    void readsCacheSizesWithUnits() {
        assertThat(SettingsViewModel.parseSize("20 GiB")).isEqualTo(20L * 1024 * 1024 * 1024);
        assertThat(SettingsViewModel.parseSize("500MB")).isEqualTo(500_000_000L);
        assertThat(SettingsViewModel.parseSize("0")).isZero();
        vm.maxCacheSizeProperty().set("lots");
        assertThat(vm.sizeErrorProperty().get()).isNotEmpty();
    }

    @Test
    void savingANewPortStoresItAndRestartsTheServer() {
        vm.load();
        vm.portProperty().set("5050");
        vm.maxCacheSizeProperty().set("1 GiB");
        vm.save();
        assertThat(engine.settings().listen()).isEqualTo("127.0.0.1:5050");
        assertThat(engine.settings().maxCacheBytes()).isEqualTo(1024L * 1024 * 1024);
        assertThat(restarts).containsExactly("127.0.0.1:5050");
    }

    @Test
    void savingWithoutAnAddressChangeDoesNotRestart() {
        vm.load();
        vm.freshnessProperty().set("ttl:6h");
        vm.save();
        assertThat(engine.settings().defaultFreshness()).isEqualTo("ttl:6h");
        assertThat(restarts).isEmpty();
    }
}
