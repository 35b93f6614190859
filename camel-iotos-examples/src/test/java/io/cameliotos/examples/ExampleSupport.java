package io.cameliotos.examples;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.cameliotos.component.iotos.IotosComponent;
import io.cameliotos.component.iotos.IotosConfiguration;
import io.cameliotos.component.iotos.protocol.PointValue;
import io.cameliotos.component.iotos.test.TestBroker;
import org.apache.camel.CamelContext;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.Main;

/** A platform, built on the platform role, for the examples' tests: records uploads and sends controls. */
public final class ExampleSupport {

    private ExampleSupport() {
    }

    /** Points the example's Camel Main at the test broker with the test account. */
    public static void useBroker(Main main, TestBroker broker) {
        main.addOverrideProperty("camel.component.iotos.broker-url", broker.url());
        main.addOverrideProperty("camel.component.iotos.username", broker.username());
        main.addOverrideProperty("camel.component.iotos.password", broker.password());
    }

    /** A started platform context that acknowledges every upload and records its points. */
    public static CamelContext platform(TestBroker broker, List<PointValue> uploads) throws Exception {
        CamelContext context = new DefaultCamelContext();
        IotosConfiguration config = context.getComponent("iotos", IotosComponent.class).getConfiguration();
        config.setBrokerUrl(broker.url());
        config.setUsername(broker.username());
        config.setPassword(broker.password());
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("iotos:*/*?role=platform").process(e -> uploads.addAll(e.getMessage().getBody(List.class)));
            }
        });
        context.start();
        return context;
    }

    public static List<PointValue> newRecorder() {
        return new CopyOnWriteArrayList<>();
    }
}
