package dev.cachalot.rules.io;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.cachalot.oci.Json;
import dev.cachalot.rules.CacheRule;
import dev.cachalot.rules.RuleStore;
import dev.cachalot.rules.Upstream;
import dev.cachalot.rules.UpstreamStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Writes the rules (with credential-set metadata and custom upstreams where the format has room) as
 * {@code cachalot-json}, {@code cachalot-yaml}, {@code acr-json} (the shape of {@code az acr cache list}) or
 * {@code csv}. Secrets are never written: credential sets travel as vault references only.
 */
public final class RuleExporter {

    /** Stands in for the subscription and registry of ARM ids, which a local cache does not have. */
    static final String ARM_REGISTRY = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/cachalot"
            + "/providers/Microsoft.ContainerRegistry/registries/cachalot";
    static final String CSV_HEADER = "name,source,target,credentialSet,freshness";

    private final Supplier<List<CacheRule>> rules;
    private final Supplier<List<CredentialSetMetadata>> credentialSets;
    private final Supplier<List<Upstream>> customUpstreams;

    public RuleExporter(RuleStore rules, UpstreamStore upstreams, CredentialSetMetadataStore credentialSets) {
        this(rules::list, credentialSets::list, upstreams::list);
    }

    public RuleExporter(Supplier<List<CacheRule>> rules, Supplier<List<CredentialSetMetadata>> credentialSets,
                        Supplier<List<Upstream>> customUpstreams) {
        this.rules = rules;
        this.credentialSets = credentialSets;
        this.customUpstreams = customUpstreams;
    }

    /**
     * Writes to {@code file} through a temporary file and a move, so an existing file is never left half written.
     *
     * @param format a {@link RuleFormat} id; null or blank for {@code cachalot-json}
     */
    public void export(Path file, String format) {
        RuleFormat f = RuleFormat.parseExport(format);
        Path dir = file.toAbsolutePath().getParent();
        try {
            Path tmp = Files.createTempFile(dir, ".cachalot-export", ".tmp");
            try {
                try (OutputStream out = Files.newOutputStream(tmp)) {
                    export(out, f);
                }
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The export as text (for stdout and tests). */
    public String exportToString(String format) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            export(out, RuleFormat.parseExport(format));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Writes the export to {@code out} in UTF-8 without closing it. */
    public void export(OutputStream out, RuleFormat format) throws IOException {
        if (!format.exportable()) throw new IllegalArgumentException("cannot export as " + format.id());
        switch (format) {
            case CACHALOT_JSON -> json().writeValue(nonClosing(out), cachalotDocument());
            case CACHALOT_YAML -> yaml().writeValue(nonClosing(out), cachalotDocument());
            case ACR_JSON -> json().writeValue(nonClosing(out), acrList());
            case CSV -> csv(out);
            default -> throw new IllegalArgumentException("cannot export as " + format.id());
        }
        out.flush();
    }

    private ObjectNode cachalotDocument() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode doc = f.objectNode();
        doc.put("version", 1);
        ArrayNode rs = doc.putArray("rules");
        for (CacheRule r : rules.get()) {
            ObjectNode n = rs.addObject();
            n.put("name", r.name());
            n.put("sourceRepository", r.sourceRepository());
            n.put("targetRepository", r.targetRepository());
            if (r.credentialSet() != null) n.put("credentialSet", r.credentialSet());
            n.put("freshness", r.freshness().text());
            if (r.creationDate() != null) n.put("creationDate", r.creationDate().toString());
            if (!r.sync().equals(dev.cachalot.rules.SyncPolicy.PASSIVE)) n.set("sync", sync(r.sync()));
        }
        ArrayNode cs = doc.putArray("credentialSets");
        for (CredentialSetMetadata s : credentialSets.get()) {
            ObjectNode n = cs.addObject();
            n.put("name", s.name());
            n.put("loginServer", s.loginServer());
            if (s.usernameSecret() != null) n.put("usernameSecret", s.usernameSecret());
            if (s.passwordSecret() != null) n.put("passwordSecret", s.passwordSecret());
        }
        ArrayNode us = doc.putArray("upstreams");
        for (Upstream u : customUpstreams.get()) {
            ObjectNode n = us.addObject();
            n.put("displayName", u.displayName());
            n.put("loginServer", u.loginServer());
            n.put("endpoint", u.endpoint().toString());
            n.put("authMode", u.authMode().name());
            if (u.caCertPem() != null) n.put("caCertPem", u.caCertPem());
        }
        return doc;
    }

    /** Every setting, passive ones too, so that switching the rule back to active restores what it had. */
    private static ObjectNode sync(dev.cachalot.rules.SyncPolicy policy) {
        dev.cachalot.rules.SyncDraft text = policy.draft();
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        n.put("mode", text.mode());
        n.put("tags", text.tags());
        if (!text.platforms().isEmpty()) n.put("platforms", text.platforms());
        n.put("interval", text.interval());
        if (!policy.repositories().isEmpty()) policy.repositories().forEach(n.putArray("repositories")::add);
        n.put("referrers", policy.referrers());
        if (!policy.includeArtifactTypes().isEmpty()) policy.includeArtifactTypes().forEach(n.putArray("includeArtifactTypes")::add);
        if (!policy.excludeArtifactTypes().isEmpty()) policy.excludeArtifactTypes().forEach(n.putArray("excludeArtifactTypes")::add);
        return n;
    }

    private ArrayNode acrList() {
        ArrayNode list = JsonNodeFactory.instance.arrayNode();
        for (CacheRule r : rules.get()) {
            ObjectNode n = list.addObject();
            n.put("creationDate", r.creationDate() == null ? null : r.creationDate().toString());
            if (r.credentialSet() != null) {
                n.put("credentialSetResourceId", ARM_REGISTRY + "/credentialSets/" + r.credentialSet());
            } else {
                n.putNull("credentialSetResourceId");
            }
            n.put("id", ARM_REGISTRY + "/cacheRules/" + r.name());
            n.put("name", r.name());
            n.put("provisioningState", r.provisioningState() == null ? "Succeeded" : r.provisioningState().name());
            n.put("resourceGroup", "cachalot");
            n.put("sourceRepository", r.sourceRepository());
            n.put("targetRepository", r.targetRepository());
            n.put("type", "Microsoft.ContainerRegistry/registries/cacheRules");
        }
        return list;
    }

    private void csv(OutputStream out) throws IOException {
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of(CSV_HEADER.split(",")));
        for (CacheRule r : rules.get()) {
            rows.add(Stream.of(r.name(), r.sourceRepository(), r.targetRepository(), r.credentialSet(), r.freshness().text())
                    .map(CsvCells::neutralize).toList());
        }
        CsvRecords.write(new OutputStreamWriter(out, StandardCharsets.UTF_8), rows);
    }

    private static ObjectWriter json() {
        return Json.prettyWriter().without(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    }

    private static ObjectMapper yaml() {
        YAMLFactory factory = YAMLFactory.builder()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .build();
        return Json.configured(YAMLMapper.builder(factory).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET));
    }

    private static OutputStream nonClosing(OutputStream out) {
        return new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }
}
