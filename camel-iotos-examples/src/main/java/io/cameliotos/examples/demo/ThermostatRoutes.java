package io.cameliotos.examples.demo;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import io.cameliotos.component.iotos.IotosResponseException;
import org.apache.camel.builder.RouteBuilder;

/**
 * A thermostat device in the Java DSL: uploads temperature (温度) and humidity (湿度) every couple of seconds, and
 * obeys set-point (设定温度) controls: the temperature it reports drifts toward the set-point.
 */
public class ThermostatRoutes extends RouteBuilder {

    private final DemoSettings settings;
    private volatile double setpoint = 22.0;
    private double temperature = 20.0;
    private double humidity = 45.0;

    ThermostatRoutes(DemoSettings settings) {
        this.settings = settings;
    }

    @Override
    public void configure() {
        String device = "iotos:" + settings.gatewayId() + "/" + settings.thermostatDeviceId();

        from("timer:thermostat?period={{demo.uploadPeriod:2000}}&delay=500").routeId("thermostat-upload")
                .onException(Exception.class).handled(true).bean("demoLog", "uploadFailed").end()
                .process(e -> e.getMessage().setBody(nextReading()))
                .to(device + "?awaitAck=true&ackTimeout=5s&pointTable=#thermostatPoints")
                .bean("demoLog", "uploaded");

        from(device + "/" + settings.setpointPointId() + "?pointTable=#thermostatPoints").routeId("thermostat-setpoint")
                .bean("demoLog", "controlReceived")
                .process(e -> {
                    double wanted = e.getMessage().getBody(Double.class);
                    if (wanted < 5 || wanted > 35) {
                        throw new IotosResponseException(4001, "set-point " + wanted + " outside 5..35 ℃");
                    }
                    setpoint = wanted;
                    e.getMessage().setBody(wanted);
                })
                .bean("demoLog", "answering");
    }

    private synchronized Map<String, Object> nextReading() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        temperature += (setpoint - temperature) * 0.3 + random.nextDouble(-0.2, 0.2);
        humidity = Math.max(20, Math.min(80, humidity + random.nextDouble(-1, 1)));
        Map<String, Object> reading = new LinkedHashMap<>();
        reading.put("温度", Math.round(temperature * 10) / 10.0);
        reading.put("湿度", Math.round(humidity * 10) / 10.0);
        return reading;
    }
}
