package dev.cachalot.cli;

import dev.cachalot.BuildVersion;
import picocli.CommandLine.IVersionProvider;

/** {@code cachalot --version}: the build's version (see {@link BuildVersion}). */
final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[]{"cachalot " + BuildVersion.current()};
    }
}
