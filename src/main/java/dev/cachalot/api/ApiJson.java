package dev.cachalot.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.cachalot.oci.Json;
import dev.cachalot.rules.FreshnessPolicy;
import java.io.IOException;

/**
 * The management API's JSON, on both sides: {@link Json}'s configuration (ISO-8601 times), a freshness policy as the
 * text users type ({@code revalidate}, {@code ttl:10m}), and unknown properties ignored so that an older client reads
 * a newer engine's answers (fields are only ever added within v1).
 */
public final class ApiJson {
    private ApiJson() {
    }

    public static ObjectMapper mapper() {
        return Shared.MAPPER;
    }

    private static final class Shared {
        static final ObjectMapper MAPPER = Json.configured(JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .addModule(new SimpleModule("cachalot-api")
                        .addSerializer(FreshnessPolicy.class, new FreshnessWriter())
                        .addDeserializer(FreshnessPolicy.class, new FreshnessReader())));
    }

    private static final class FreshnessWriter extends JsonSerializer<FreshnessPolicy> {
        @Override
        public void serialize(FreshnessPolicy value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeString(value.text());
        }
    }

    private static final class FreshnessReader extends JsonDeserializer<FreshnessPolicy> {
        @Override
        public FreshnessPolicy deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            return FreshnessPolicy.parse(p.getValueAsString());
        }
    }
}
