package dev.cachalot.app.shell;

import dev.cachalot.app.common.AppContext;
import java.net.URI;

/** An engine reached over its management API: its address and the context the pages work on. */
public record RemoteConnection(URI address, AppContext context) {
}
