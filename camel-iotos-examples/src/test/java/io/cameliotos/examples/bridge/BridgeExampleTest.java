package io.cameliotos.examples.bridge;

import java.time.Duration;
import java.util.List;

import io.cameliotos.component.iotos.IotosConstants;
import io.cameliotos.component.iotos.protocol.PointValue;
import io.cameliotos.component.iotos.test.BrokerExtension;
import io.cameliotos.component.iotos.test.RawMqttClient;
import io.cameliotos.examples.ExampleSupport;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The bridge between a local MQTT bus and IOTOS, both on one real broker here. */
class BridgeExampleTest {

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.embedded();

    @Test
    void forwardsReadingsAsUploadsAndControlsToTheLocalBus() throws Exception {
        List<PointValue> uploads = ExampleSupport.newRecorder();
        CamelContext platform = ExampleSupport.platform(BROKER.broker(), uploads);
        Main main = BridgeMain.create();
        ExampleSupport.useBroker(main, BROKER.broker());
        main.addOverrideProperty("bridge.local.brokerUrl", BROKER.url());
        main.addOverrideProperty("bridge.local.username", BROKER.broker().username());
        main.addOverrideProperty("bridge.local.password", BROKER.broker().password());
        try (RawMqttClient plant = new RawMqttClient(BROKER.broker(), "plant-plc")) {
            plant.subscribe("plant/boiler/+/set");
            main.start();

            plant.publish("plant/boiler/温度", "65.2");
            await().atMost(Duration.ofSeconds(15)).until(() -> !uploads.isEmpty());
            PointValue reading = uploads.get(0);
            assertThat(reading.id()).isEqualTo(1963L);
            assertThat(reading.oid()).isEqualTo("7be6");
            assertThat(reading.name()).isEqualTo("温度");
            assertThat(reading.value()).isEqualTo(65.2);

            Exchange control = platform.createProducerTemplate().request("iotos:171/401/1965?role=platform",
                    e -> e.getMessage().setBody(23));
            assertThat(control.getException()).isNull();
            assertThat(control.getMessage().getHeader(IotosConstants.RESPONSE_CODE)).isEqualTo(0);
            RawMqttClient.Received setpoint = plant.next(Duration.ofSeconds(10));
            assertThat(setpoint.topic()).isEqualTo("plant/boiler/设定温度/set");
            assertThat(setpoint.text()).isEqualTo("23");
        } finally {
            main.stop();
            platform.close();
        }
    }
}
