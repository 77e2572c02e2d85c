package dev.cachalot;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The package boundaries of DESIGN.md, held by tests. */
@AnalyzeClasses(packages = "dev.cachalot", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule appUsesOnlyTheEngineApi = noClasses().that().resideInAPackage("dev.cachalot.app..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.cachalot.storage..", "dev.cachalot.cache..",
                    "dev.cachalot.registry..", "dev.cachalot.credentials..")
            .because("the engine API is the app's only door: views never call storage or the upstream client")
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule engineRunsWithoutTheGui = noClasses().that().resideOutsideOfPackages("dev.cachalot.app..", "dev.cachalot")
            .should().dependOnClassesThat().resideInAPackage("dev.cachalot.app..")
            .because("the engine runs headless; the GUI is one client of it");

    @ArchTest
    static final ArchRule partsDoNotReachUp = noClasses().that().resideInAnyPackage("dev.cachalot.registry..", "dev.cachalot.cache..",
                    "dev.cachalot.rules..", "dev.cachalot.credentials..", "dev.cachalot.stats..", "dev.cachalot.storage..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.cachalot.engine..", "dev.cachalot.cli..", "dev.cachalot.app..")
            .because("dependencies point one way: app/cli -> engine -> parts -> storage");

    @ArchTest
    static final ArchRule storageIsTheBottom = noClasses().that().resideInAPackage("dev.cachalot.storage..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.cachalot.cache..", "dev.cachalot.rules..",
                    "dev.cachalot.credentials..", "dev.cachalot.stats..")
            .because("storage knows blobs and metadata, not what they are used for");

    @ArchTest
    static final ArchRule httpHandlersDoNotKnowWhereContentComesFrom = noClasses().that().resideInAPackage("dev.cachalot.registry..")
            .should().dependOnClassesThat().resideInAnyPackage("dev.cachalot.cache..", "dev.cachalot.storage..",
                    "dev.cachalot.rules..", "dev.cachalot.stats..", "dev.cachalot.credentials..")
            .because("the registry API serves a RegistryBackend and never knows whether content came from upstream");
}
