package io.cameliotos.component.iotos;

import java.util.Map;

import io.cameliotos.component.iotos.session.IotosSession;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckResultBuilder;

/**
 * Readiness of one MQTT session: UP while connected, DOWN with the reason (the connect failure or the lost
 * connection) otherwise. Registered for every session the component opens, removed when it closes.
 */
final class IotosSessionHealthCheck implements HealthCheck {

    private final IotosSession session;
    private final String id;
    private volatile boolean enabled = true;

    /**
     * @param withBroker whether the ID names the broker too: for a second session of one client ID (another broker),
     *                   as the registry keeps one check per ID
     */
    IotosSessionHealthCheck(IotosSession session, boolean withBroker) {
        this.session = session;
        this.id = "iotos-" + session.settings().clientId() + (withBroker ? "@" + session.settings().brokerUrl() : "");
    }

    @Override
    public String getGroup() {
        return "camel";
    }

    @Override
    public String getId() {
        return id;
    }

    @Override
    public boolean isEnabled() {
        return enabled;
    }

    @Override
    public void setEnabled(boolean enabled) {
        this.enabled = enabled;
    }

    @Override
    public boolean isLiveness() {
        // a broker outage is not a reason to restart the application: it reconnects by itself
        return false;
    }

    @Override
    public Result call(Map<String, Object> options) {
        HealthCheckResultBuilder builder = HealthCheckResultBuilder.on(this);
        builder.detail("brokerUrl", session.settings().brokerUrl());
        builder.detail("clientId", session.settings().clientId());
        builder.detail("state", session.state().name());
        builder.detail("buffered", session.bufferedCount());
        if (session.isConnected()) {
            return builder.up().build();
        }
        Throwable error = session.lastError();
        builder.message("MQTT session " + session.settings().key() + " is " + session.state()
                        + (error == null ? "" : ": " + IotosSession.describe(error)));
        if (error != null) {
            builder.error(error);
        }
        return builder.down().build();
    }
}
