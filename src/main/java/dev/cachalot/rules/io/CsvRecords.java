package dev.cachalot.rules.io;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.SequenceWriter;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import com.fasterxml.jackson.dataformat.csv.CsvSchema;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.List;

/**
 * Rule CSV through Jackson's CSV parser and generator (RFC 4180: quoted fields with doubled quotes and line breaks
 * inside; CRLF, LF or CR), keeping the line each record starts on so every entry can say where it came from.
 *
 * <p>Reading: comma or semicolon (see {@link #delimiter}); spaces around a value and around its quotes are dropped,
 * so {@code a, "b"} reads as {@code a} and {@code b}; rows with nothing but blanks are skipped. A stray quote
 * inside an unquoted value is kept as text (no rule field can hold one, so that entry is refused by validation).
 * Writing: comma and CRLF, a value quoted only when it holds a comma, a quote or a line break.
 */
final class CsvRecords {

    record Row(int line, List<String> cells) {
    }

    private static final CsvMapper CSV = CsvMapper.builder()
            .enable(CsvParser.Feature.TRIM_SPACES)
            .enable(CsvGenerator.Feature.STRICT_CHECK_FOR_QUOTING) // else every value with a char below ',' (such as '*') is quoted
            .disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
            .build();
    private static final CsvSchema WRITTEN = CsvSchema.emptySchema().withColumnSeparator(',').withLineSeparator("\r\n");

    private CsvRecords() {
    }

    /** The delimiter of the header line: the more frequent of {@code ,} and {@code ;} outside quotes. */
    static char delimiter(String text) {
        int commas = 0, semicolons = 0;
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '"') quoted = !quoted;
            else if (!quoted && (ch == '\n' || ch == '\r')) break;
            else if (!quoted && ch == ',') commas++;
            else if (!quoted && ch == ';') semicolons++;
        }
        return semicolons > commas ? ';' : ',';
    }

    static List<Row> parse(String text, char delimiter) throws RuleFileException {
        List<Row> rows = new ArrayList<>();
        int rowLine = 1;
        try (JsonParser p = CSV.reader().with(CsvSchema.emptySchema().withColumnSeparator(delimiter)).createParser(text)) {
            List<String> cells = new ArrayList<>();
            for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
                switch (t) {
                    case START_ARRAY -> {
                        // the parser stands at the record's first character: its token location would be the previous record's end
                        rowLine = p.currentLocation().getLineNr();
                        cells = new ArrayList<>();
                    }
                    case VALUE_STRING -> cells.add(p.getText());
                    case END_ARRAY -> {
                        if (!cells.stream().allMatch(String::isBlank)) rows.add(new Row(rowLine, List.copyOf(cells)));
                    }
                    default -> throw new IllegalStateException("unexpected CSV token " + t);
                }
            }
        } catch (JsonProcessingException e) {
            throw malformed(e, rowLine);
        } catch (IOException e) {
            throw new IllegalStateException("reading a string cannot fail", e);
        }
        return rows;
    }

    private static RuleFileException malformed(JsonProcessingException e, int rowLine) {
        String reason = e.getOriginalMessage();
        if (reason.startsWith("Missing closing quote")) {
            return new RuleFileException("not valid CSV: a quoted field in the record that starts on line " + rowLine + " never ends", e);
        }
        int line = e.getLocation() == null ? rowLine : e.getLocation().getLineNr();
        if (reason.contains("Expected column separator")) {
            return new RuleFileException("not valid CSV at line " + line + ": text after a closing quote", e);
        }
        return new RuleFileException("not valid CSV at line " + line + ": " + reason, e);
    }

    /** Writes {@code rows} (null cells as empty ones) comma-separated with CRLF line ends; leaves {@code out} open. */
    static void write(Writer out, List<List<String>> rows) throws IOException {
        try (SequenceWriter w = CSV.writer(WRITTEN).writeValues(out)) {
            for (List<String> row : rows) {
                w.write(row.stream().map(v -> v == null ? "" : v).toArray(String[]::new));
            }
        }
        out.flush();
    }
}
