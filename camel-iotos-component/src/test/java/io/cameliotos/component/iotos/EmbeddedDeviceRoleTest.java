package io.cameliotos.component.iotos;

import io.cameliotos.component.iotos.test.BrokerExtension;
import io.cameliotos.component.iotos.test.EmbeddedBroker;
import io.cameliotos.component.iotos.session.IotosSession;
import io.cameliotos.component.iotos.test.TestBroker;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The device-role suite against the embedded Java broker, and what only it can do: refuse a subscription. */
class EmbeddedDeviceRoleTest extends DeviceRoleSuite {

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.embedded();

    @Override
    protected TestBroker broker() {
        return BROKER.broker();
    }

    @Test
    void aSubscriptionTheBrokerRefusesFailsTheRouteStartNamingTheTopic() {
        CamelContext context = newContext();
        assertThatThrownBy(() -> {
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("iotos:171/999").log("${body}");
                }
            });
            context.start();
        }).hasStackTraceContaining("refused the subscription " + EmbeddedBroker.UNREADABLE + "+ of client device_171_999 "
                                   + "(SUBACK 0x80)")
                .hasStackTraceContaining("iotos://171/999");
        assertThat(context.getComponent("iotos", IotosComponent.class).getSessions().sessions())
                .as("the route that failed gave its session back").isEmpty();
    }

    @Test
    void aResumeTheBrokerRefusesGivesTheSessionBack() throws Exception {
        broker().stop();
        CamelContext context = newContext();
        IotosComponent iotos = context.getComponent("iotos", IotosComponent.class);
        iotos.getConfiguration().setConnectionTimeout(1);
        iotos.getConfiguration().setReconnectDelay(50);
        iotos.getConfiguration().setMaxReconnectDelay(200);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // started and suspended while the broker is down: the refusal comes with the resume
                from("iotos:171/999").routeId("device").log("${body}");
            }
        });
        try {
            context.start();
            context.getRouteController().suspendRoute("device");
        } finally {
            broker().start();
        }
        IotosSession session = onlySession(context);
        await().atMost(WAIT).until(session::isConnected);

        assertThatThrownBy(() -> context.getRouteController().resumeRoute("device"))
                .hasStackTraceContaining("refused the subscription " + EmbeddedBroker.UNREADABLE + "+");
        assertThat(iotos.getSessions().sessions()).as("the consumer that failed to resume gave its session back")
                .isEmpty();
    }

    @Test
    void aPointConsumerStillReceivesWhenTheBrokerRefusesTheDeviceFilterCoveringIt() throws Exception {
        broker().stop();
        CamelContext context = newContext();
        IotosComponent iotos = context.getComponent("iotos", IotosComponent.class);
        iotos.getConfiguration().setConnectionTimeout(1);
        iotos.getConfiguration().setReconnectDelay(50);
        iotos.getConfiguration().setMaxReconnectDelay(200);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                // started while the broker is down: the refusal comes with the connection, after the start
                from("iotos:171/999").setBody(constant("device"));
                from("iotos:171/999/5").setBody(constant("point"));
            }
        });
        try {
            context.start();
        } finally {
            broker().start();
        }
        IotosSession session = onlySession(context);
        await().atMost(WAIT).until(session::isConnected);
        io.cameliotos.component.iotos.test.RawMqttClient platform = rawClient("raw-platform")
                .subscribe(EmbeddedBroker.UNREADABLE + "5/result");

        // the point's own subscription follows the refusal: repeat the control until it is answered
        await().atMost(WAIT).pollInterval(java.time.Duration.ofMillis(200)).until(() -> {
            platform.publish(EmbeddedBroker.UNREADABLE + "5", control(5, "1", "p-" + System.nanoTime()));
            return platform.poll(java.time.Duration.ofMillis(200)) != null;
        });
    }
}
