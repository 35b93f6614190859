package io.cameliotos.component.iotos;

import io.cameliotos.component.iotos.test.BrokerExtension;
import io.cameliotos.component.iotos.test.EmbeddedBroker;
import io.cameliotos.component.iotos.test.TestBroker;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
