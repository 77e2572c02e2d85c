package dev.cachalot.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * docs/api/openapi.yaml is a valid OpenAPI document, and it documents exactly the operations the engine serves: no
 * route without its documentation, no documented operation that does not exist. (That every documented operation
 * works against a real engine process is {@code cli.RemoteEngineProcessTest}'s job.)
 */
class OpenApiDocumentTest {

    static final Path DOCUMENT = Path.of("docs", "api", "openapi.yaml");

    /** {@code METHOD /path} of every operation the document describes. */
    static List<String> documentedOperations() throws Exception {
        OpenAPI api = parse().getOpenAPI();
        List<String> operations = new ArrayList<>();
        api.getPaths().forEach((path, item) -> item.readOperationsMap().keySet()
                .forEach(method -> operations.add(method.name() + " " + path)));
        return operations;
    }

    static SwaggerParseResult parse() throws Exception {
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        return new OpenAPIV3Parser().readContents(Files.readString(DOCUMENT), null, options);
    }

    @Test
    void theDocumentIsValidOpenApi() throws Exception {
        SwaggerParseResult result = parse();
        assertThat(result.getMessages()).as("validation messages of %s", DOCUMENT).isEmpty();
        assertThat(result.getOpenAPI().getOpenapi()).startsWith("3.");
        assertThat(result.getOpenAPI().getServers()).singleElement()
                .satisfies(server -> assertThat(server.getUrl()).isEqualTo(ManagementApi.PREFIX));
    }

    @Test
    void everyServedOperationIsDocumentedAndEveryDocumentedOneIsServed() throws Exception {
        assertThat(documentedOperations()).containsExactlyInAnyOrderElementsOf(ManagementApi.operationNames());
    }

    @Test
    void aDocumentWithAnErrorIsRefusedByTheValidator() throws Exception {
        // The check above must be able to fail: a reference to a schema that does not exist is reported.
        String broken = Files.readString(DOCUMENT).replace("#/components/schemas/EngineStatus", "#/components/schemas/NoSuchSchema");
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        SwaggerParseResult result = new OpenAPIV3Parser().readContents(broken, null, options);
        assertThat(result.getMessages()).isNotEmpty();
    }
}
