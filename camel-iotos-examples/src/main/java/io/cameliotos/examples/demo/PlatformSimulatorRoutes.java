package io.cameliotos.examples.demo;

import java.util.concurrent.atomic.AtomicInteger;

import io.cameliotos.component.iotos.IotosConstants;
import org.apache.camel.ExchangePattern;
import org.apache.camel.builder.RouteBuilder;

/**
 * A stand-in for the IOTOS platform, built on the platform role: acknowledges every upload point by point, and sends a
 * control every few seconds (alternately a thermostat set-point and a pump speed), waiting for the device's result.
 */
public class PlatformSimulatorRoutes extends RouteBuilder {

    private static final double[] SETPOINTS = { 26.0, 18.5, 24.0 };
    private static final int[] PUMP_SPEEDS = { 80, 30, 55 };

    private final DemoSettings settings;
    private final AtomicInteger round = new AtomicInteger();

    PlatformSimulatorRoutes(DemoSettings settings) {
        this.settings = settings;
    }

    @Override
    public void configure() {
        // autoReply answers every point of every upload with code 0 once the exchange completes
        from("iotos:*/*?role=platform").routeId("platform-uploads")
                .log(org.apache.camel.LoggingLevel.DEBUG, "iotos.demo.platform", "upload ${header.CamelIotosRequestId}");

        from("timer:platform-controls?period={{demo.controlPeriod:5000}}&delay=2500").routeId("platform-controls")
                .process(e -> {
                    int n = round.getAndIncrement();
                    boolean pump = settings.pumpEnabled() && n % 2 == 1;
                    e.getMessage().setHeader(IotosConstants.GATEWAY_ID, settings.gatewayId());
                    if (pump) {
                        e.getMessage().setHeader(IotosConstants.DEVICE_ID, settings.pumpDeviceId());
                        e.getMessage().setHeader(IotosConstants.POINT_ID, settings.pumpSpeedPointId());
                        e.getMessage().setHeader(IotosConstants.POINT_NAME, "转速");
                        e.getMessage().setBody(PUMP_SPEEDS[(n / 2) % PUMP_SPEEDS.length]);
                    } else {
                        e.getMessage().setHeader(IotosConstants.DEVICE_ID, settings.thermostatDeviceId());
                        e.getMessage().setHeader(IotosConstants.POINT_ID, settings.setpointPointId());
                        e.getMessage().setHeader(IotosConstants.POINT_NAME, "设定温度");
                        e.getMessage().setBody(SETPOINTS[(n / 2) % SETPOINTS.length]);
                    }
                })
                // a timer's exchange is InOnly, which only sends: InOut waits for the device's answer (flow 4)
                .setExchangePattern(ExchangePattern.InOut)
                .to("iotos:*/*/*?role=platform&ackTimeout=5s")
                .bean("demoLog", "resultReceived")
                .log(org.apache.camel.LoggingLevel.DEBUG, "iotos.demo.platform",
                        "result ${body} (code ${header.CamelIotosResponseCode})");
    }
}
