package dev.cachalot;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The package boundaries of docs/architecture.md, held by tests. Layers, bottom up: {@code oci} (value types of the
 * specs) → {@code storage} → {@code rules}, {@code stats} → {@code credentials}, {@code upstream} → {@code registry}
 * (HTTP API), {@code proxy} (pull-through), {@code bundle} (offline bundles, on
 * proxy), {@code sync} (active sync, through proxy's fill path) → {@code engine} → {@code app}, {@code cli}. Beside them: {@code security}
 * (TLS material, users, tokens and access decisions; above {@code storage} and {@code oci}, used by {@code registry}'s
 * listener, the engine's wiring and {@code tls init}) and {@code metrics}
 * (fed by {@code engine}, known to no part).
 */
@AnalyzeClasses(packages = "dev.cachalot", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    private static final String OCI = "dev.cachalot.oci..";
    private static final String STORAGE = "dev.cachalot.storage..";
    private static final String RULES = "dev.cachalot.rules..";
    private static final String STATS = "dev.cachalot.stats..";
    private static final String CREDENTIALS = "dev.cachalot.credentials..";
    private static final String UPSTREAM = "dev.cachalot.upstream..";
    private static final String REGISTRY = "dev.cachalot.registry..";
    private static final String PROXY = "dev.cachalot.proxy..";
    private static final String BUNDLE = "dev.cachalot.bundle..";
    private static final String SYNC = "dev.cachalot.sync..";
    private static final String ENGINE = "dev.cachalot.engine..";
    private static final String SECURITY = "dev.cachalot.security..";
    private static final String METRICS = "dev.cachalot.metrics..";
    private static final String API = "dev.cachalot.api..";
    private static final String APP = "dev.cachalot.app..";
    private static final String CLI = "dev.cachalot.cli..";

    @ArchTest
    static final ArchRule ociImportsNothingOfOurs = classes().that().resideInAPackage(OCI)
            .should().onlyDependOnClassesThat(resideOutsideOfPackage("dev.cachalot..").or(resideInAPackage(OCI)))
            .because("oci holds the value types of the distribution and image specs; everything may use it, it uses nothing");

    @ArchTest
    static final ArchRule securityStandsOnStorageAndTheSpecTypes = classes().that().resideInAPackage(SECURITY)
            .should().onlyDependOnClassesThat(resideOutsideOfPackage("dev.cachalot..").or(resideInAnyPackage(SECURITY, STORAGE, OCI)))
            .because("TLS material, users and tokens are checked by the listener before any part sees a request; users and"
                    + " tokens are kept in the metadata database, and nothing else");

    @ArchTest
    static final ArchRule accessIsDecidedInSecurityNotInHttp = noClasses().that().resideInAPackage(SECURITY)
            .should().dependOnClassesThat().resideInAPackage("org.eclipse.jetty..")
            .because("security decides who may do what; the registry's AccessHandler and TokenEndpoint speak HTTP for it");

    @ArchTest
    static final ArchRule metricsAreFedNotFetched = classes().that().resideInAPackage(METRICS)
            .should().onlyDependOnClassesThat(resideOutsideOfPackage("dev.cachalot..").or(resideInAnyPackage(METRICS, STATS, OCI)))
            .because("the engine feeds the metrics from the parts' own hooks; metrics reach into no part");

    @ArchTest
    static final ArchRule onlyTheEngineFeedsTheMetrics = noClasses().that().resideOutsideOfPackages(METRICS, ENGINE)
            .should().dependOnClassesThat().resideInAPackage(METRICS)
            .because("parts expose hooks (RequestObserver, pull events, upstream calls); only the wiring knows Prometheus");

    @ArchTest
    static final ArchRule nothingBelowTheHttpLayerImportsIt = noClasses().that()
            .resideInAnyPackage(OCI, STORAGE, RULES, STATS, CREDENTIALS, UPSTREAM)
            .should().dependOnClassesThat().resideInAPackage(REGISTRY)
            .because("the HTTP API is a face of the engine, not a library: spec types live in oci");

    @ArchTest
    static final ArchRule upstreamClientKnowsNothingOfTheCache = noClasses().that().resideInAPackage(UPSTREAM)
            .should().dependOnClassesThat().resideInAnyPackage(PROXY, STORAGE, STATS, CREDENTIALS, REGISTRY)
            .because("the upstream client is reused by pull-through, sync and health checks; it must not know the cache");

    @ArchTest
    static final ArchRule httpHandlersDoNotKnowWhereContentComesFrom = noClasses().that().resideInAPackage(REGISTRY)
            .should().dependOnClassesThat().resideInAnyPackage(PROXY, UPSTREAM, STORAGE, RULES, STATS, CREDENTIALS)
            .because("the registry API serves a RegistryBackend and never knows whether content came from upstream");

    @ArchTest
    static final ArchRule bundlesWorkOnTheStoresAlone = noClasses().that().resideInAPackage(BUNDLE)
            .should().dependOnClassesThat().resideInAnyPackage(UPSTREAM, REGISTRY, CREDENTIALS, STATS)
            .because("a bundle moves what is cached, offline: it reads and writes the stores and routes names by the rules, never the network");

    @ArchTest
    static final ArchRule onlyTheEngineAndItsClientsKnowBundles = noClasses().that()
            .resideInAnyPackage(OCI, STORAGE, RULES, STATS, CREDENTIALS, UPSTREAM, REGISTRY, PROXY)
            .should().dependOnClassesThat().resideInAPackage(BUNDLE)
            .because("bundles sit beside pull-through, on top of the stores; the parts below them must not know them");

    @ArchTest
    static final ArchRule syncCachesThroughThePullPath = noClasses().that().resideInAPackage(SYNC)
            .should().dependOnClassesThat().resideInAnyPackage(REGISTRY, CREDENTIALS, STATS, BUNDLE)
            .because("a sync caches as a pull does, through proxy's CacheFiller (same verification, single flight, stores),"
                    + " without being a pull: no HTTP layer, no pull events");

    @ArchTest
    static final ArchRule onlyTheEngineAndItsClientsKnowSync = noClasses().that()
            .resideInAnyPackage(OCI, STORAGE, RULES, STATS, CREDENTIALS, UPSTREAM, REGISTRY, PROXY, BUNDLE)
            .should().dependOnClassesThat().resideInAPackage(SYNC)
            .because("the engine wires sync on top of pull-through; the parts below must not know it");

    @ArchTest
    static final ArchRule storageIsTheBottom = noClasses().that().resideInAPackage(STORAGE)
            .should().dependOnClassesThat().resideInAnyPackage(PROXY, UPSTREAM, REGISTRY, RULES, CREDENTIALS, STATS, SECURITY)
            .because("storage knows blobs and metadata, not what they are used for");

    @ArchTest
    static final ArchRule partsDoNotReachUp = noClasses().that()
            .resideInAnyPackage(OCI, STORAGE, RULES, STATS, CREDENTIALS, UPSTREAM, REGISTRY, PROXY, BUNDLE, SYNC, SECURITY, METRICS)
            .should().dependOnClassesThat().resideInAnyPackage(ENGINE, CLI, APP)
            .because("dependencies point one way: app/cli -> engine -> parts -> storage -> oci");

    @ArchTest
    static final ArchRule nothingBelowTheClientsImportsThem = noClasses().that().resideOutsideOfPackages(APP, CLI, "dev.cachalot")
            .should().dependOnClassesThat().resideInAnyPackage(APP, CLI)
            .because("the engine runs headless; the GUI and the CLI are clients of it");

    @ArchTest
    static final ArchRule appUsesOnlyTheEngineApi = noClasses().that().resideInAPackage(APP)
            .should().dependOnClassesThat().resideInAnyPackage(STORAGE, PROXY, UPSTREAM, REGISTRY, CREDENTIALS)
            .because("the engine API is the app's only door: views never call storage or the upstream client");

    /** The app's views and their nested classes (cells, listeners): pages, wizards, dialogs and the shell's window. */
    private static final DescribedPredicate<JavaClass> VIEWS =
            new DescribedPredicate<>("views (*Page, *Wizard, *Dialog, MainWindow, CachalotApp)") {
                @Override
                public boolean test(JavaClass c) {
                    JavaClass top = c;
                    while (top.getEnclosingClass().isPresent()) top = top.getEnclosingClass().get();
                    String name = top.getSimpleName();
                    return top.getPackageName().startsWith("dev.cachalot.app") && (name.endsWith("Page")
                            || name.endsWith("Wizard") || name.endsWith("Dialog") || name.equals("MainWindow")
                            || name.equals("CachalotApp"));
                }
            };

    @ArchTest
    static final ArchRule viewModelsHoldPropertiesNotNodes = noClasses().that().resideInAPackage(APP)
            .and().haveSimpleNameEndingWith("ViewModel")
            .should().dependOnClassesThat().resideInAPackage("javafx.scene..")
            .because("views bind to a view model's properties; a view model that holds nodes cannot be tested without a window");

    @ArchTest
    static final ArchRule viewsGoThroughTheirViewModel = noClasses().that(VIEWS)
            .should().dependOnClassesThat().areAssignableTo("dev.cachalot.engine.EngineApi")
            .because("only view models talk to the engine (JabRef's rule): a view calls its view model, which is tested without a window");

    @ArchTest
    static final ArchRule cliUsesOnlyTheEngineApi = noClasses().that().resideInAPackage(CLI)
            .should().dependOnClassesThat().resideInAnyPackage(STORAGE, PROXY, UPSTREAM, REGISTRY, CREDENTIALS)
            .because("the CLI goes through the engine API (EngineAdmin) as the app does: one way in");

    /** The credentials part's exceptions: EngineApi's methods throw them, so the API words them as the CLI does. */
    private static final DescribedPredicate<JavaClass> PARTS_BELOW_THE_ENGINE_BUT_THEIR_EXCEPTIONS =
            new DescribedPredicate<>("parts below the engine (their exceptions excepted)") {
                @Override
                public boolean test(JavaClass c) {
                    String p = c.getPackageName();
                    boolean below = p.startsWith("dev.cachalot.storage") || p.startsWith("dev.cachalot.proxy")
                            || p.startsWith("dev.cachalot.upstream") || p.startsWith("dev.cachalot.registry")
                            || p.startsWith("dev.cachalot.credentials") || p.startsWith("dev.cachalot.metrics");
                    return below && !c.isAssignableTo(RuntimeException.class);
                }
            };

    @ArchTest
    static final ArchRule managementApiGoesThroughTheEngineApi = noClasses().that().resideInAPackage(API)
            .should().dependOnClassesThat(PARTS_BELOW_THE_ENGINE_BUT_THEIR_EXCEPTIONS)
            .because("the management API is one more client of EngineApi/EngineAdmin, like the app and the CLI: a change "
                    + "made through it is the same change, seen by the very next request");

    @ArchTest
    static final ArchRule theEngineDoesNotKnowItsManagementApi = noClasses().that()
            .resideInAnyPackage(OCI, STORAGE, RULES, STATS, CREDENTIALS, UPSTREAM, REGISTRY, PROXY, SECURITY, METRICS, ENGINE)
            .should().dependOnClassesThat().resideInAPackage(API)
            .because("the API sits above the engine beside the CLI: the engine serves the handler it is given");

    @ArchTest
    static final ArchRule appAndCliDoNotTalkToEachOther = noClasses().that().resideInAPackage(CLI)
            .should().dependOnClassesThat().resideInAPackage(APP)
            .because("the CLI runs where no display exists");
}
