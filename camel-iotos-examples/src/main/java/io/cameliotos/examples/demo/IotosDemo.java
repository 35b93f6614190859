package io.cameliotos.examples.demo;

import java.util.ArrayList;
import java.util.List;

import io.cameliotos.component.iotos.protocol.PointDefinition;
import io.cameliotos.component.iotos.protocol.PointTable;
import org.apache.camel.main.Main;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The camel-iotos demo: an embedded broker, a platform simulator and two devices (one in the Java DSL, one in the YAML
 * DSL) exchanging all four IOTOS flows, with a live log and a summary. Runs about 30 seconds, or until Ctrl-C with
 * {@code --forever}. With {@code IOTOS_BROKER_URL} (and account, gateway, device and point IDs) it connects the Java
 * device to a real IOTOS platform instead. See camel-iotos-examples/README.md.
 */
public final class IotosDemo {

    private static final Logger LOG = LoggerFactory.getLogger("iotos.demo");

    private IotosDemo() {
    }

    public static void main(String[] args) throws Exception {
        DemoSettings settings;
        try {
            settings = DemoSettings.fromEnvironment(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        System.exit(run(settings));
    }

    /** Runs the demo to its end; returns the exit code: 0 when every expected flow was seen. */
    static int run(DemoSettings settings) throws Exception {
        DemoLog log = new DemoLog();
        DemoBroker broker = settings.embedded()
                ? DemoBroker.start(settings.brokerPort(), DemoSettings.DEMO_USER, DemoSettings.DEMO_PASSWORD) : null;
        String brokerUrl = broker != null ? broker.url() : settings.brokerUrl();
        long started = System.nanoTime();
        try {
            LOG.info("camel-iotos demo: {} on {}, gateway {}, thermostat device {}{}",
                    broker != null ? "embedded broker and platform simulator" : "real platform", brokerUrl,
                    settings.gatewayId(), settings.thermostatDeviceId(),
                    settings.pumpEnabled() ? ", pump device " + settings.pumpDeviceId() : "");
            LOG.info(settings.durationSeconds() > 0 ? "running for " + settings.durationSeconds() + " s"
                    : "running until Ctrl-C");
            Main main = new Main();
            main.bind("demoLog", log);
            main.bind("thermostatPoints", PointTable.of(
                    new PointDefinition(settings.temperaturePointId(), "t" + settings.temperaturePointId(), "温度"),
                    new PointDefinition(settings.humidityPointId(), "h" + settings.humidityPointId(), "湿度"),
                    new PointDefinition(settings.setpointPointId(), "s" + settings.setpointPointId(), "设定温度")));
            main.addInitialProperty("camel.component.iotos.brokerUrl", brokerUrl);
            if (settings.username() != null) {
                main.addInitialProperty("camel.component.iotos.username", settings.username());
            }
            if (settings.password() != null) {
                main.addInitialProperty("camel.component.iotos.password", settings.password());
            }
            main.addInitialProperty("demo.gatewayId", Long.toString(settings.gatewayId()));
            main.addInitialProperty("demo.pump.deviceId", Long.toString(Math.max(1, settings.pumpDeviceId())));
            main.addInitialProperty("demo.pump.speedPointId", Long.toString(settings.pumpSpeedPointId()));
            main.addInitialProperty("demo.pump.enabled", Boolean.toString(settings.pumpEnabled()));
            main.configure().withName("iotos-demo");
            main.configure().withRoutesIncludePattern("classpath:demo/pump-device.yaml");
            main.configure().addRoutesBuilder(new ThermostatRoutes(settings));
            if (settings.embedded()) {
                main.configure().addRoutesBuilder(new PlatformSimulatorRoutes(settings));
            }
            if (settings.durationSeconds() > 0) {
                main.configure().withDurationMaxSeconds(settings.durationSeconds());
            }
            main.run();
        } finally {
            if (broker != null) {
                broker.close();
            }
        }
        long seconds = Math.round((System.nanoTime() - started) / 1e9);
        System.out.println(log.summary(seconds));
        List<String> devices = new ArrayList<>();
        devices.add(settings.gatewayId() + "/" + settings.thermostatDeviceId());
        if (settings.pumpEnabled()) {
            devices.add(settings.gatewayId() + "/" + settings.pumpDeviceId());
        }
        boolean complete = log.everyFlowSeen(devices, settings.embedded());
        if (!complete) {
            System.out.println("Some flows were never seen: check the broker URL, account and IDs above.");
        }
        return complete ? 0 : 1;
    }
}
