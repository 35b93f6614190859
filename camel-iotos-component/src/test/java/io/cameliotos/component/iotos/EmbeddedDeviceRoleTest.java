package io.cameliotos.component.iotos;

import io.cameliotos.component.iotos.test.BrokerExtension;
import io.cameliotos.component.iotos.test.EmbeddedBroker;
import io.cameliotos.component.iotos.session.IotosSession;
import io.cameliotos.component.iotos.test.TestBroker;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.ThrowingConsumer;

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
    void aResumeTheBrokerRefusesGivesTheSessionBack() throws Throwable {
        // started and suspended while the broker is down: the refusal comes with the resume
        CamelContext context = startWhileTheBrokerIsDown(new RouteBuilder() {
            @Override
            public void configure() {
                from("iotos:171/999").routeId("device").log("${body}");
            }
        }, started -> started.getRouteController().suspendRoute("device"));

        assertThatThrownBy(() -> context.getRouteController().resumeRoute("device"))
                .hasStackTraceContaining("refused the subscription " + EmbeddedBroker.UNREADABLE + "+");
        assertThat(context.getComponent("iotos", IotosComponent.class).getSessions().sessions())
                .as("the consumer that failed to resume gave its session back").isEmpty();
    }

    @Test
    void aPointConsumerStillReceivesWhenTheBrokerRefusesTheDeviceFilterCoveringIt() throws Throwable {
        // started while the broker is down: the refusal comes with the connection, after the start
        startWhileTheBrokerIsDown(new RouteBuilder() {
            @Override
            public void configure() {
                from("iotos:171/999").setBody(constant("device"));
                from("iotos:171/999/5").setBody(constant("point"));
            }
        }, started -> {
        });
        io.cameliotos.component.iotos.test.RawMqttClient platform = rawClient("raw-platform")
                .subscribe(EmbeddedBroker.UNREADABLE + "5/result");

        // the point's own subscription follows the refusal: repeat the control until it is answered
        await().atMost(WAIT).pollInterval(java.time.Duration.ofMillis(200)).until(() -> {
            platform.publish(EmbeddedBroker.UNREADABLE + "5", control(5, "1", "p-" + System.nanoTime()));
            return platform.poll(java.time.Duration.ofMillis(200)) != null;
        });
    }

    /**
     * Starts the routes while the broker is down, does {@code whileDown}, then starts the broker and waits until the
     * session connected.
     */
    private CamelContext startWhileTheBrokerIsDown(RouteBuilder routes, ThrowingConsumer<CamelContext> whileDown)
            throws Throwable {
        broker().stop();
        CamelContext context = newContext();
        IotosConfiguration configuration = context.getComponent("iotos", IotosComponent.class).getConfiguration();
        configuration.setConnectionTimeout(1);
        configuration.setReconnectDelay(50);
        configuration.setMaxReconnectDelay(200);
        context.addRoutes(routes);
        try {
            context.start();
            whileDown.accept(context);
        } finally {
            broker().start();
        }
        IotosSession session = onlySession(context);
        await().atMost(WAIT).until(session::isConnected);
        return context;
    }
}
