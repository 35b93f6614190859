package io.cameliotos.examples.yaml;

import java.time.Duration;
import java.util.List;

import io.cameliotos.component.iotos.IotosConstants;
import io.cameliotos.component.iotos.IotosResponseException;
import io.cameliotos.component.iotos.protocol.PointValue;
import io.cameliotos.component.iotos.test.BrokerExtension;
import io.cameliotos.examples.ExampleSupport;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The YAML-only device, run by plain Camel Main from its application.properties, against a real broker. */
class YamlDeviceExampleTest {

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.embedded();

    @Test
    void uploadsPowerAndObeysRelayControls() throws Exception {
        List<PointValue> uploads = ExampleSupport.newRecorder();
        CamelContext platform = ExampleSupport.platform(BROKER.broker(), uploads);
        Main main = new Main();
        main.setPropertyPlaceholderLocations("classpath:yaml-device/application.properties");
        ExampleSupport.useBroker(main, BROKER.broker());
        main.addOverrideProperty("meter.period", "200");
        try {
            main.start();

            await().atMost(Duration.ofSeconds(15)).until(() -> uploads.size() >= 2);
            assertThat(uploads).allSatisfy(p -> {
                assertThat(p.id()).isEqualTo(3001L);
                assertThat(p.name()).isEqualTo("有功功率");
                assertThat(((Number) p.value()).intValue()).isBetween(800, 1200);
            });

            Exchange on = platform.createProducerTemplate().request("iotos:171/403/3002?role=platform",
                    e -> e.getMessage().setBody("ON"));
            assertThat(on.getException()).isNull();
            assertThat(on.getMessage().getHeader(IotosConstants.RESPONSE_CODE)).isEqualTo(0);

            Exchange blink = platform.createProducerTemplate().request("iotos:171/403/3002?role=platform",
                    e -> e.getMessage().setBody("BLINK"));
            assertThat(blink.getException()).isInstanceOfSatisfying(IotosResponseException.class, e -> {
                assertThat(e.getResponseCode()).isEqualTo(4002);
                assertThat(e.getResponseDesc()).isEqualTo("relay accepts ON or OFF, not BLINK");
            });
        } finally {
            main.stop();
            platform.close();
        }
    }
}
