package dev.cachalot.rules.io;

import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.RuleStore;
import dev.cachalot.rules.UpstreamStore;
import dev.cachalot.storage.DataFolder;
import dev.cachalot.storage.Database;
import dev.cachalot.storage.JdbcMetadataStore;
import dev.cachalot.storage.RepositoryKind;
import java.nio.file.Path;
import java.util.List;

/** A real database (a data folder's H2, or another given), stores and importer, for import and export tests. */
final class ImportFixture implements AutoCloseable {
    final Database db;
    final RuleStore rules;
    final UpstreamStore upstreams;
    final CredentialSetTable credentialSets;
    final JdbcMetadataStore manifests;

    ImportFixture(Path folder) {
        this(Database.open(new DataFolder(folder)));
    }

    ImportFixture(Database database) {
        db = database;
        rules = new RuleStore(db);
        upstreams = new UpstreamStore(db);
        credentialSets = new CredentialSetTable(db);
        manifests = new JdbcMetadataStore(db);
    }

    RuleImporter importer() {
        return new RuleImporter(db, rules, upstreams, credentialSets, this::localRepositoryUnder);
    }

    RuleImporter importer(RuleImporter.RuleWrites writes) {
        return new RuleImporter(db, writes, upstreams, credentialSets, this::localRepositoryUnder, new RuleFileReader());
    }

    /** As the engine asks it: only plain local repositories block a rule's target. */
    private boolean localRepositoryUnder(String prefix) {
        return manifests.anyRepositoryUnder(prefix, RepositoryKind.LOCAL);
    }

    RuleExporter exporter() {
        return new RuleExporter(rules, upstreams, credentialSets);
    }

    void credentialSet(String name, String loginServer) {
        db.inTransaction(c -> {
            credentialSets.insertAwaitingSecrets(c, new CredentialSetMetadata(name, loginServer, "vault:" + name + "-u", "vault:" + name + "-p"));
            return null;
        });
    }

    List<CacheRule> ruleList() {
        return rules.list();
    }

    @Override
    public void close() {
        db.close();
    }
}
