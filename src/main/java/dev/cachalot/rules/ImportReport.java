package dev.cachalot.rules;

import java.util.List;

/**
 * What an import did or would do. {@code applied} is false for a dry run, or when nothing was imported because
 * an entry was invalid (and valid-only was not asked for).
 *
 * @param problems file-level problems (unreadable file, unknown format, too large) that stopped the import
 */
public record ImportReport(List<ImportEntry> entries, List<String> problems, boolean applied, int imported) {
    public boolean hasRefusals() {
        return !problems.isEmpty() || entries.stream().anyMatch(e -> !e.valid());
    }
}
