package dev.cachalot.rules.io;

import java.util.ArrayList;
import java.util.List;

/**
 * A small RFC 4180 reader that remembers the line each record starts on: quoted fields (with doubled quotes
 * and line breaks inside), comma or semicolon, CRLF or LF. Written here rather than borrowed so that locations
 * and error messages are exact.
 */
final class CsvRecords {

    record Row(int line, List<String> cells) {
    }

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
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        int line = 1;
        int rowLine = 1;
        boolean quoted = false;
        boolean wasQuoted = false;
        int i = 0;
        int n = text.length();
        while (i < n) {
            char ch = text.charAt(i);
            if (quoted) {
                if (ch == '"') {
                    if (i + 1 < n && text.charAt(i + 1) == '"') {
                        cell.append('"');
                        i += 2;
                        continue;
                    }
                    quoted = false;
                } else {
                    if (ch == '\n') line++;
                    cell.append(ch);
                }
                i++;
                continue;
            }
            if (ch == '"') {
                if (cell.toString().isBlank() && !wasQuoted) {
                    cell.setLength(0);
                    quoted = true;
                    wasQuoted = true;
                } else {
                    throw new RuleFileException("not valid CSV at line " + line + ": a quote inside an unquoted field");
                }
            } else if (ch == delimiter) {
                cells.add(cell.toString());
                cell.setLength(0);
                wasQuoted = false;
            } else if (ch == '\r' || ch == '\n') {
                cells.add(cell.toString());
                cell.setLength(0);
                wasQuoted = false;
                addRow(rows, rowLine, cells);
                cells = new ArrayList<>();
                if (ch == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') i++;
                line++;
                rowLine = line;
            } else if (wasQuoted) {
                if (!Character.isWhitespace(ch)) {
                    throw new RuleFileException("not valid CSV at line " + line + ": text after a closing quote");
                }
            } else {
                cell.append(ch);
            }
            i++;
        }
        if (quoted) {
            throw new RuleFileException("not valid CSV: a quoted field that starts on line " + rowLine + " never ends");
        }
        if (!cells.isEmpty() || cell.length() > 0 || wasQuoted) {
            cells.add(cell.toString());
            addRow(rows, rowLine, cells);
        }
        return rows;
    }

    private static void addRow(List<Row> rows, int line, List<String> cells) {
        boolean blank = cells.stream().allMatch(String::isBlank);
        if (!blank) rows.add(new Row(line, List.copyOf(cells)));
    }
}
