package io.cameliotos.examples.bridge;

import io.cameliotos.component.iotos.IotosConstants;
import org.apache.camel.builder.RouteBuilder;

/**
 * Bridges a plant's local MQTT bus to IOTOS: readings published on {@code plant/{device}/{point name}} become
 * uploads of that point, and controls from the platform are forwarded to {@code plant/{device}/{point name}/set}.
 * Points are addressed by name through the device's point table, so the local bus never needs IOTOS IDs.
 */
public class BridgeRoutes extends RouteBuilder {

    @Override
    public void configure() {
        String local = "paho:%s?brokerUrl={{bridge.local.brokerUrl}}&clientId={{bridge.local.clientId}}-%s"
                       + "&userName={{bridge.local.username}}&password=RAW({{bridge.local.password}})&qos=1";
        String device = "iotos:{{bridge.gatewayId}}/{{bridge.deviceId}}";

        // plant/boiler/温度 = 65.2  ->  upload of the point named 温度
        from(String.format(local, "plant/{{bridge.localDevice}}/+", "in")).routeId("bridge-readings")
                .process(e -> {
                    String topic = e.getMessage().getHeader("CamelMqttTopic", String.class);
                    e.getMessage().setHeader(IotosConstants.POINT_NAME, topic.substring(topic.lastIndexOf('/') + 1));
                    e.getMessage().setBody(Double.valueOf(e.getMessage().getBody(String.class).trim()));
                })
                .to(device + "?pointTableFile={{bridge.pointTableFile}}&awaitAck=true")
                .log("forwarded ${header.CamelIotosPointName} = ${body} (platform: ${header.CamelIotosResponseDesc})");

        // control for 设定温度  ->  plant/boiler/设定温度/set, answered when the local bus accepted it
        from(device + "?pointTableFile={{bridge.pointTableFile}}").routeId("bridge-controls")
                .setHeader("CamelPahoOverrideTopic",
                        simple("plant/{{bridge.localDevice}}/${header.CamelIotosPointName}/set"))
                .convertBodyTo(String.class)
                .to(String.format(local, "plant/{{bridge.localDevice}}/set", "out"))
                .log("control ${header.CamelIotosPointName} = ${body} sent to the plant");
    }
}
