package dev.cachalot.oci;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JsonTest {

    record Pull(String repository, Instant at) {
    }

    private static final Pull PULL = new Pull("library/alpine", Instant.parse("2026-01-01T10:00:00Z"));

    @Test
    void writesTimesAsIsoTextNotEpochNumbers() throws Exception {
        assertThat(Json.mapper().writeValueAsString(PULL)).isEqualTo("{\"repository\":\"library/alpine\",\"at\":\"2026-01-01T10:00:00Z\"}");
    }

    @Test
    void prettyWriterIndentsByTwoSpaces() throws Exception {
        assertThat(Json.prettyWriter().writeValueAsString(PULL).replace(System.lineSeparator(), "\n"))
                .isEqualTo("{\n  \"repository\" : \"library/alpine\",\n  \"at\" : \"2026-01-01T10:00:00Z\"\n}");
    }

    @Test
    void anotherFormatBuiltThroughItHasTheSameFeatures() throws Exception {
        ObjectMapper yaml = Json.configured(YAMLMapper.builder());

        assertThat(yaml.writeValueAsString(PULL)).isEqualTo("---\nrepository: \"library/alpine\"\nat: \"2026-01-01T10:00:00Z\"\n");
    }

    @Test
    void readsTheTreeOfARegistryBody() throws Exception {
        assertThat(Json.mapper().readTree("{\"tags\":[\"1\",\"2\"]}".getBytes()).path("tags").size()).isEqualTo(2);
    }
}
