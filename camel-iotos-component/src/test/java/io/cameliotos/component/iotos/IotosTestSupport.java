package io.cameliotos.component.iotos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cameliotos.component.iotos.session.IotosSession;
import io.cameliotos.component.iotos.test.RawMqttClient;
import io.cameliotos.component.iotos.test.TestBroker;
import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A fresh CamelContext per test, configured for the class's broker, and raw MQTT clients that are closed after it.
 */
public abstract class IotosTestSupport {

    protected static final Duration WAIT = Duration.ofSeconds(15);
    protected static final ObjectMapper JSON = new ObjectMapper();

    private final List<CamelContext> contexts = new ArrayList<>();
    private final List<RawMqttClient> clients = new ArrayList<>();

    protected abstract TestBroker broker();

    /** A started CamelContext whose iotos component points at the broker with the test account. */
    protected CamelContext startContext(RoutesBuilder... routes) throws Exception {
        CamelContext context = newContext();
        for (RoutesBuilder route : routes) {
            context.addRoutes(route);
        }
        context.start();
        return context;
    }

    protected CamelContext newContext() {
        CamelContext context = new DefaultCamelContext();
        IotosComponent iotos = context.getComponent("iotos", IotosComponent.class);
        iotos.getConfiguration().setBrokerUrl(broker().url());
        iotos.getConfiguration().setUsername(broker().username());
        iotos.getConfiguration().setPassword(broker().password());
        iotos.getConfiguration().setConnectionTimeout(5);
        contexts.add(context);
        return context;
    }

    /**
     * A started device context with the route {@code direct:upload -> iotos:171/401/1963} after {@code routes}, its
     * component set up by {@code settings} on top of the broker and account.
     */
    protected CamelContext startUploader(Consumer<IotosConfiguration> settings, RoutesBuilder... routes)
            throws Exception {
        CamelContext context = newContext();
        settings.accept(context.getComponent("iotos", IotosComponent.class).getConfiguration());
        for (RoutesBuilder route : routes) {
            context.addRoutes(route);
        }
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:upload").to("iotos:171/401/1963");
            }
        });
        context.start();
        return context;
    }

    /** The one MQTT session of a context's iotos component. */
    protected static IotosSession onlySession(CamelContext context) {
        List<IotosSession> sessions = context.getComponent("iotos", IotosComponent.class).getSessions().sessions();
        if (sessions.size() != 1) {
            throw new AssertionError("expected one session, found " + sessions);
        }
        return sessions.get(0);
    }

    protected ProducerTemplate template(CamelContext context) {
        return context.createProducerTemplate();
    }

    protected RawMqttClient rawClient(String clientId) throws Exception {
        RawMqttClient client = new RawMqttClient(broker(), clientId);
        clients.add(client);
        return client;
    }

    protected static JsonNode json(RawMqttClient.Received message) throws Exception {
        return JSON.readTree(message.payload());
    }

    /**
     * Sends 1,000 uploads of point 1963 at once, without waiting between them, and expects every one completed and
     * received by {@code platform} in order. The session's socket holds a packet back while another publish is queued
     * behind it, so the last of the burst must still leave at once, with nothing sent after it to push it out.
     */
    protected static void sendABurstAndReceiveItWholeAndInOrder(CamelContext context, int qos, RawMqttClient platform)
            throws Exception {
        AsyncProducer producer = context.getEndpoint("iotos:171/401/1963?qos=" + qos).createAsyncProducer();
        producer.start();
        int uploads = 1_000;
        CountDownLatch done = new CountDownLatch(uploads);
        AtomicInteger failed = new AtomicInteger();

        for (int i = 0; i < uploads; i++) {
            Exchange exchange = new DefaultExchange(context);
            exchange.getMessage().setBody(i);
            producer.process(exchange, doneSync -> {
                if (exchange.getException() != null) {
                    failed.incrementAndGet();
                }
                done.countDown();
            });
        }

        // well within the keep-alive interval: a held last packet would only leave with the next ping
        assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
        assertThat(failed).hasValue(0);
        for (int i = 0; i < uploads; i++) {
            assertThat(json(platform.next(WAIT)).at("/data/1963/value").asInt()).isEqualTo(i);
        }
        producer.stop();
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (CamelContext context : contexts) {
            context.close();
        }
        contexts.clear();
        for (RawMqttClient client : clients) {
            client.close();
        }
        clients.clear();
    }
}
