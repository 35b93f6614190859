package io.cameliotos.component.iotos;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.cameliotos.component.iotos.session.IotosSession;
import org.apache.camel.spi.annotations.DevConsole;
import org.apache.camel.support.console.AbstractDevConsole;

/**
 * The {@code iotos} developer console: every MQTT session of the iotos component, its state and its counters.
 */
@DevConsole(group = "camel", name = "iotos", displayName = "IOTOS", description = "IOTOS MQTT sessions and counters")
public class IotosDevConsole extends AbstractDevConsole {

    public IotosDevConsole() {
        super("camel", "iotos", "IOTOS", "IOTOS MQTT sessions and counters");
    }

    @Override
    protected String doCallText(Map<String, Object> options) {
        StringBuilder sb = new StringBuilder();
        for (IotosSession session : sessions()) {
            sb.append(String.format("Session %s: %s, buffered %d, awaiting results %d%n", session.settings().key(),
                    session.state(), session.bufferedCount(), session.correlator().size()));
            if (session.lastError() != null && !session.isConnected()) {
                sb.append("    last error: ").append(IotosSession.describe(session.lastError())).append('\n');
            }
            session.metrics().snapshot().forEach((name, value) -> sb.append(String.format("    %-18s %d%n", name, value)));
        }
        return sb.length() == 0 ? "No IOTOS sessions\n" : sb.toString();
    }

    @Override
    protected Map<String, Object> doCallJson(Map<String, Object> options) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (IotosSession session : sessions()) {
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("brokerUrl", session.settings().brokerUrl());
            entry.put("clientId", session.settings().clientId());
            entry.put("state", session.state().name());
            entry.put("buffered", session.bufferedCount());
            entry.put("awaitingResults", session.correlator().size());
            if (session.lastError() != null && !session.isConnected()) {
                entry.put("lastError", IotosSession.describe(session.lastError()));
            }
            entry.put("counters", session.metrics().snapshot());
            list.add(entry);
        }
        Map<String, Object> root = new org.apache.camel.util.json.JsonObject();
        root.put("sessions", list);
        return root;
    }

    private List<IotosSession> sessions() {
        if (getCamelContext().hasComponent("iotos") instanceof IotosComponent iotos) {
            return iotos.getSessions().sessions();
        }
        return List.of();
    }
}
