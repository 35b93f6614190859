package io.cameliotos.component.iotos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.cameliotos.component.iotos.test.RawMqttClient;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Platform consumers splitting uploads through an MQTT shared subscription. Runs where the broker delivers IOTOS
 * {@code $}-topics to shared subscriptions: a probe with raw clients decides, and the test is skipped with the reason
 * where the broker does not (Mosquitto 2.0.11 and Moquette 0.17 do not).
 */
abstract class SharedSubscriptionSuite extends IotosTestSupport {

    @BeforeEach
    void brokerDeliversDollarTopicsToSharedSubscriptions() throws Exception {
        String topic = "$IOTOS/device/platform/update/9/9";
        RawMqttClient member = rawClient("probe-member").subscribe("$share/probe/" + topic);
        RawMqttClient plain = rawClient("probe-plain").subscribe(topic);
        rawClient("probe-pub").publish(topic, "probe");
        plain.next(WAIT);
        Assumptions.assumeTrue(member.poll(Duration.ofSeconds(2)) != null,
                broker().kind() + " does not deliver $-topics such as " + topic + " to shared subscriptions "
                                                                            + "($share/group/...), so sharedGroup cannot "
                                                                            + "split IOTOS uploads on it");
    }

    @Test
    void twoPlatformConsumersEachReceivePartAndTogetherAllNoneTwice() throws Exception {
        List<String> first = Collections.synchronizedList(new ArrayList<>());
        List<String> second = Collections.synchronizedList(new ArrayList<>());
        startContext(consumer(first));
        startContext(consumer(second));
        CamelContext device = startContext(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:upload").to("iotos:171/401/1963");
            }
        });

        int uploads = 200;
        Set<String> sent = new HashSet<>();
        for (int i = 0; i < uploads; i++) {
            sent.add(template(device).send("direct:upload", e -> e.getMessage().setBody(1))
                    .getMessage().getHeader(IotosConstants.REQUEST_ID, String.class));
        }

        await().atMost(WAIT).until(() -> first.size() + second.size() >= uploads);
        assertThat(first).as("first consumer's share").isNotEmpty();
        assertThat(second).as("second consumer's share").isNotEmpty();
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        assertThat(all).as("none twice").doesNotHaveDuplicates();
        assertThat(new HashSet<>(all)).as("together all").isEqualTo(sent);
    }

    private static RouteBuilder consumer(List<String> received) {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("iotos:*/*?role=platform&sharedGroup=backend")
                        .process(e -> received.add(e.getMessage().getHeader(IotosConstants.REQUEST_ID, String.class)));
            }
        };
    }
}
