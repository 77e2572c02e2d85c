package dev.cachalot.registry;

import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;

/**
 * Hands every request under {@value #PREFIX} to the management API and the rest to the registry. The prefix sits
 * outside {@code /v2/}, so no repository name can shadow it, and the registry never sees a management request (nor
 * the other way round): each side decides alone who may call it.
 */
final class ManagementMount extends Handler.Wrapper {
    static final String PREFIX = "/cachalot/";

    private final Handler management;

    ManagementMount(Handler management, Handler registry) {
        super(registry);
        this.management = management;
        // Jetty starts and stops the handlers it knows of; the management handler is one of them.
        addBean(management, true);
    }

    @Override
    public void setServer(Server server) {
        super.setServer(server);
        management.setServer(server);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = request.getHttpURI().getPath();
        if (path != null && path.startsWith(PREFIX)) {
            return management.handle(request, response, callback);
        }
        return super.handle(request, response, callback);
    }
}
