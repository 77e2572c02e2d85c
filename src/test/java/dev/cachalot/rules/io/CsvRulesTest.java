package dev.cachalot.rules.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.groups.Tuple.tuple;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CSV rule format as files bring it in and the exporter writes it: quoting, line ends, byte order marks. */
class CsvRulesTest {

    private final RuleFileReader reader = new RuleFileReader();

    @TempDir
    Path dir;

    private RuleFile read(String name, byte[] bytes) throws Exception {
        Path file = dir.resolve(name);
        Files.write(file, bytes);
        return reader.read(file, null);
    }

    private static List<List<String>> cells(String text, char delimiter) throws RuleFileException {
        return CsvRecords.parse(text, delimiter).stream().map(CsvRecords.Row::cells).toList();
    }

    @Test
    void readsQuotedValuesWithEmbeddedDelimitersDoubledQuotesAndLineBreaks() throws Exception {
        assertThat(cells("a,\"b,c\",\"say \"\"hi\"\"\",\"two\nlines\",\"\"\n", ','))
                .containsExactly(List.of("a", "b,c", "say \"hi\"", "two\nlines", ""));
        assertThat(cells("a;\"b;c\";\"d,e\"\n", ';')).containsExactly(List.of("a", "b;c", "d,e"));
    }

    @Test
    void dropsSpacesAroundValuesAndAroundTheirQuotesButNotInsideQuotes() throws Exception {
        assertThat(cells("name, source ,  \"target\"  ,\" spaced \"\n", ','))
                .containsExactly(List.of("name", "source", "target", " spaced "));
    }

    @Test
    void keepsAStrayQuoteInsideAnUnquotedValueAsTextForValidationToRefuse() throws Exception {
        assertThat(cells("a,b\"c,d\n", ',')).containsExactly(List.of("a", "b\"c", "d"));
    }

    @Test
    void acceptsCrlfLfAndCrLineEndsMixedAndCountsLinesInsideQuotedValues() throws Exception {
        List<CsvRecords.Row> rows = CsvRecords.parse("h1,h2\r\n\"a\r\nb\",c\rd,e\n\n  ,  \nf,g", ',');

        assertThat(rows).extracting(CsvRecords.Row::line, CsvRecords.Row::cells).containsExactly(
                tuple(1, List.of("h1", "h2")),
                tuple(2, List.of("a\r\nb", "c")),
                tuple(4, List.of("d", "e")),
                tuple(7, List.of("f", "g")));
    }

    @Test
    void aUtf8ByteOrderMarkAndCrlfReadAsAPlainFile() throws Exception {
        byte[] body = "name,source,target\r\nmcr-sdk,mcr.microsoft.com/dotnet/sdk,sdk\r\n\"quay-etcd\",\"quay.io/coreos/etcd\",etcd\r\n"
                .getBytes(StandardCharsets.UTF_8);
        byte[] withBom = new byte[body.length + 3];
        withBom[0] = (byte) 0xEF;
        withBom[1] = (byte) 0xBB;
        withBom[2] = (byte) 0xBF;
        System.arraycopy(body, 0, withBom, 3, body.length);

        RuleFile f = read("bom.csv", withBom);

        assertThat(f.format()).isEqualTo(RuleFormat.CSV);
        assertThat(f.rules()).extracting(RawRule::location, RawRule::name, RawRule::sourceRepository, RawRule::targetRepository)
                .containsExactly(
                        tuple("bom.csv:2", "mcr-sdk", "mcr.microsoft.com/dotnet/sdk", "sdk"),
                        tuple("bom.csv:3", "quay-etcd", "quay.io/coreos/etcd", "etcd"));
        assertThat(f.rules()).isEqualTo(read("plain.csv", body).rules().stream()
                .map(r -> new RawRule(r.location().replace("plain", "bom"), r.name(), r.sourceRepository(), r.targetRepository(),
                        r.credentialSet(), r.freshness(), r.creationDate(), r.problem()))
                .toList());
    }

    @Test
    void aRowWithAnUnquotedDelimiterInAValueIsUnreadableOnItsOwn() throws Exception {
        RuleFile f = reader.parse("x.csv", "name,source,target\nok-rule,quay.io/a/b,b\nbad-rule,quay.io/c,d,e\n", null);

        assertThat(f.rules()).extracting(RawRule::location, RawRule::problem).containsExactly(
                tuple("x.csv:2", null),
                tuple("x.csv:3", "the row has 4 cells but the header has 3 (a , inside a value needs quotes)"));
    }

    @Test
    void refusesAQuotedValueThatNeverEndsNamingTheLineItsRecordStartsOn() {
        assertThatThrownBy(() -> reader.parse("x.csv", "name,source,target\nok-rule,quay.io/a/b,b\nbad,\"quay.io/c\nd,e\n", null))
                .isInstanceOf(RuleFileException.class)
                .hasMessage("not valid CSV: a quoted field in the record that starts on line 3 never ends");
    }

    @Test
    void refusesTextAfterAClosingQuote() {
        assertThatThrownBy(() -> reader.parse("x.csv", "name,source,target\nok-rule,\"quay.io/a\"/b,b\n", null))
                .isInstanceOf(RuleFileException.class)
                .hasMessage("not valid CSV at line 2: text after a closing quote");
    }

    @Test
    void writesCommaSeparatedCrlfRowsQuotingOnlyWhatNeedsIt() throws Exception {
        StringWriter out = new StringWriter();

        CsvRecords.write(out, List.of(
                List.of("name", "source"),
                Arrays.asList("docker.io/library/*", null),
                List.of("a,b", "say \"hi\""),
                List.of("two\nlines", "cr\rhere"),
                List.of("semi;colon", "tab\there")));

        assertThat(out.toString()).isEqualTo("name,source\r\n"
                + "docker.io/library/*,\r\n"
                + "\"a,b\",\"say \"\"hi\"\"\"\r\n"
                + "\"two\nlines\",\"cr\rhere\"\r\n"
                + "semi;colon,tab\there\r\n");
    }

    @Test
    void whatIsWrittenReadsBackCellForCell() throws Exception {
        List<List<String>> rows = List.of(
                List.of("name", "source", "target"),
                List.of("a,b", "say \"hi\"", "two\r\nlines"),
                List.of("'=SUM(A1)", "\"", ",,,"));
        StringWriter out = new StringWriter();

        CsvRecords.write(out, rows);

        assertThat(cells(out.toString(), CsvRecords.delimiter(out.toString()))).isEqualTo(rows);
    }
}
