package dev.cachalot.oci;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.cfg.MapperBuilder;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The one Jackson configuration of Cachalot: the registry bodies the specs define (manifests, token responses, tag
 * lists, referrers), the CLI's {@code --json} output, repository details and rule exports are all read and written
 * through it. Times are ISO-8601 text ({@code 2026-01-01T10:00:00Z}), never epoch numbers. Nothing binds JSON to
 * classes, so unknown properties need no policy here.
 *
 * <p>It lives in {@code oci} because every part handles JSON and {@code oci} is the one package all of them may
 * use. Rule files are parsed under their own limits ({@code rules.io.LocatedTree}): they come from anywhere.
 */
public final class Json {

    private Json() {
    }

    /** The shared mapper: thread-safe. Never reconfigure it: build another through {@link #configured}. */
    public static ObjectMapper mapper() {
        return Shared.MAPPER;
    }

    /** Writes through {@link #mapper()} with two-space indentation, for files and terminals. */
    public static ObjectWriter prettyWriter() {
        return Shared.PRETTY;
    }

    /** A mapper of another format (YAML, say) with the same features as {@link #mapper()}. */
    public static <M extends ObjectMapper, B extends MapperBuilder<M, B>> M configured(B builder) {
        return builder.addModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .build();
    }

    /** Built on first use: creating a mapper costs a tenth of a second that start-up need not pay. */
    private static final class Shared {
        static final ObjectMapper MAPPER = configured(JsonMapper.builder());
        static final ObjectWriter PRETTY = MAPPER.writerWithDefaultPrettyPrinter();
    }
}
