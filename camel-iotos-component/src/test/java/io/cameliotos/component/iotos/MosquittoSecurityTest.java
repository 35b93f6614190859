package io.cameliotos.component.iotos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import io.cameliotos.component.iotos.session.IotosSession;
import io.cameliotos.component.iotos.protocol.OfflineBufferFullException;
import io.cameliotos.component.iotos.test.BrokerExtension;
import io.cameliotos.component.iotos.test.LogCapture;
import io.cameliotos.component.iotos.test.MosquittoBroker;
import io.cameliotos.component.iotos.test.Ports;
import io.cameliotos.component.iotos.test.RawMqttClient;
import io.cameliotos.component.iotos.test.TestBroker;
import io.cameliotos.component.iotos.test.TestCertificates;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.apache.camel.support.jsse.TrustManagersParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * TLS, authentication and authorisation against a Mosquitto with a TLS listener (CA and certificates made at test
 * time), several accounts and an ACL that confines each device account to its own topics.
 */
class MosquittoSecurityTest extends IotosTestSupport {

    private static final int TLS_PORT = Ports.free();
    private static TestCertificates authority;
    private static TestCertificates stranger;

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.mosquitto(() -> {
        try {
            MosquittoBroker broker = new MosquittoBroker();
            Path dir = broker.directory();
            authority = TestCertificates.newAuthority(dir, "iotos");
            stranger = TestCertificates.newAuthority(dir, "stranger");
            Path[] server = authority.issueServer("server", "localhost");
            Path acl = dir.resolve("acl");
            Files.writeString(acl, String.join("\n",
                    "user " + TestBroker.USERNAME,
                    "topic readwrite $IOTOS/#",
                    "topic readwrite #",
                    "user dev401",
                    "topic write $IOTOS/device/platform/update/171/401",
                    "topic read $IOTOS/device/platform/update/171/401/+/result",
                    "topic read $IOTOS/device/endpoint/update/171/401/+",
                    "topic write $IOTOS/device/endpoint/update/171/401/+/result",
                    "user dev402",
                    "topic write $IOTOS/device/platform/update/171/402",
                    "topic read $IOTOS/device/platform/update/171/402/+/result",
                    "topic read $IOTOS/device/endpoint/update/171/402/+",
                    "topic write $IOTOS/device/endpoint/update/171/402/+/result", ""));
            return broker.withUser("dev401", "pass-401").withUser("dev402", "pass-402").withConfig(
                    "acl_file " + acl,
                    "listener " + TLS_PORT + " 127.0.0.1",
                    "cafile " + authority.caPem(),
                    "certfile " + server[0],
                    "keyfile " + server[1]);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    });

    @Override
    protected TestBroker broker() {
        return BROKER.broker();
    }

    private MosquittoBroker mosquitto() {
        return (MosquittoBroker) broker();
    }

    private static SSLContextParameters trusting(TestCertificates ca) {
        KeyStoreParameters store = new KeyStoreParameters();
        store.setResource("file:" + ca.truststore());
        store.setPassword(TestCertificates.TRUSTSTORE_PASSWORD);
        store.setType("PKCS12");
        TrustManagersParameters trust = new TrustManagersParameters();
        trust.setKeyStore(store);
        SSLContextParameters ssl = new SSLContextParameters();
        ssl.setTrustManagers(trust);
        return ssl;
    }

    private CamelContext tlsContext(String host, TestCertificates ca) throws Exception {
        return startUploader(config -> {
            config.setBrokerUrl("ssl://" + host + ":" + TLS_PORT);
            config.setSslContextParameters(trusting(ca));
            config.setConnectionTimeout(3);
        });
    }

    @Test
    void uploadsOverTlsWithAVerifiedServerCertificate() throws Exception {
        RawMqttClient platform = rawClient("raw-platform").subscribe(DeviceRoleSuite.UPLOAD_TOPIC);
        CamelContext context = tlsContext("localhost", authority);

        assertThat(onlySession(context).isConnected()).isTrue();
        template(context).sendBody("direct:upload", 21.5);

        assertThat(json(platform.next(WAIT)).get("data").get("1963").get("value").asDouble()).isEqualTo(21.5);
    }

    /** A TLS socket collects a burst into one record: its last packet must still leave at once. */
    @ParameterizedTest
    @ValueSource(ints = { 0, 1 })
    void aBurstOfUploadsOverTlsReachesTheBrokerWholeAndInOrder(int qos) throws Exception {
        RawMqttClient platform = rawClient("raw-platform").subscribe(DeviceRoleSuite.UPLOAD_TOPIC);
        sendABurstAndReceiveItWholeAndInOrder(tlsContext("localhost", authority), qos, platform);
    }

    /** With tcpNoDelay too, set on the TLS socket. */
    @Test
    void aConsumerAndAProducerOfOneDeviceShareOneTlsConnection() throws Exception {
        CamelContext context = newContext();
        IotosComponent iotos = context.getComponent("iotos", IotosComponent.class);
        iotos.getConfiguration().setBrokerUrl("ssl://localhost:" + TLS_PORT);
        iotos.getConfiguration().setSslContextParameters(trusting(authority));
        iotos.getConfiguration().setTcpNoDelay(true);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("iotos:171/401").setBody(constant("done"));
                from("direct:upload").to("iotos:171/401/1963");
            }
        });
        context.start();
        RawMqttClient platform = rawClient("raw-platform").subscribe(DeviceRoleSuite.CONTROL_RESULT_TOPIC);

        platform.publish(DeviceRoleSuite.CONTROL_TOPIC, DeviceRoleSuite.control(1963, "1", "tls-1"));

        assertThat(json(platform.next(WAIT)).get("value").asText()).isEqualTo("done");
        assertThat(onlySession(context).isConnected()).isTrue();
    }

    @Test
    void refusesAServerCertificateFromAnUntrustedAuthority() throws Exception {
        CamelContext context = tlsContext("localhost", stranger);

        IotosSession session = onlySession(context);
        assertThat(session.isConnected()).isFalse();
        assertThat(causes(session.lastError())).containsIgnoringCase("certification path");
        // what the log, the health check and JMX show
        assertThat(IotosSession.describe(session.lastError())).containsIgnoringCase("certification path");
    }

    @Test
    void verifiesTheServerHostName() throws Exception {
        // the certificate names localhost only, so 127.0.0.1 must be refused although the authority is trusted
        CamelContext context = tlsContext("127.0.0.1", authority);

        IotosSession session = onlySession(context);
        assertThat(session.isConnected()).isFalse();
        assertThat(causes(session.lastError())).contains("127.0.0.1");
    }

    @Test
    void aWrongPasswordGivesAClearErrorWithBackoffAndThePasswordIsNeverShown() throws Exception {
        String wrong = "Wr0ng-Secret-" + System.nanoTime();
        // Mosquitto logs refused connections without their client ID
        String notAuthorised = "disconnected, not authorised";
        int before = count(mosquitto().logText(), notAuthorised);
        try (LogCapture logs = new LogCapture()) {
            CamelContext context = newContext();
            IotosComponent iotos = context.getComponent("iotos", IotosComponent.class);
            iotos.getConfiguration().setPassword(wrong);
            iotos.getConfiguration().setReconnectDelay(200);
            iotos.getConfiguration().setMaxReconnectDelay(800);
            iotos.getConfiguration().setOfflineBufferSize(1);
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("iotos:171/401").log("never");
                    from("direct:upload").to("iotos:171/401/1963");
                }
            });
            context.start();

            IotosSession session = onlySession(context);
            long start = System.nanoTime();
            await().atMost(WAIT).until(() -> count(mosquitto().logText(), notAuthorised) - before >= 4);
            double seconds = (System.nanoTime() - start) / 1e9;
            int attempts = count(mosquitto().logText(), notAuthorised) - before;
            // 200 ms doubling to 800 ms with jitter: a handful of attempts, not a tight loop
            assertThat(attempts / Math.max(seconds, 0.5)).as(attempts + " attempts in " + seconds + " s").isLessThan(10);

            assertThat(session.isConnected()).isFalse();
            assertThat(IotosSession.describe(session.lastError())).contains("reason code 5");
            assertThat(logs.text()).contains(broker().url()).contains("reason code 5");
            // the first upload waits in the offline buffer (size 1), the second is refused at once
            var waiting = template(context).asyncSend("direct:upload", e -> e.getMessage().setBody(1));
            await().atMost(WAIT).until(() -> session.bufferedCount() == 1);
            Exchange refused = template(context).send("direct:upload", e -> e.getMessage().setBody(2));
            assertThat(refused.getException()).isInstanceOf(OfflineBufferFullException.class)
                    .hasMessageContaining("buffer of 1 messages is full");
            assertThat(waiting).isNotDone();
            context.getEndpoints().forEach(e -> assertThat(e.getEndpointUri()).doesNotContain(wrong));
            context.getShutdownStrategy().setTimeout(2);
            context.close();
            assertThat(waiting.get().getException()).as("closed with the session").isNotNull();

            assertThat(logs.text()).as("captured logs").doesNotContain(wrong).contains("xxxxxx");
        }
    }

    /** Camel's own endpoint resolution logs raw URIs at TRACE, so the check stops at DEBUG. */
    @Test
    void aPasswordInTheUriIsMaskedInLogsAndEndpointNames() throws Exception {
        String secret = "Uri-Secret-" + System.nanoTime();
        try (LogCapture logs = new LogCapture()) {
            CamelContext context = newContext();
            context.getComponent("iotos", IotosComponent.class).getConfiguration().setPassword(null);
            context.addRoutes(new RouteBuilder() {
                @Override
                public void configure() {
                    from("iotos:171/401?password=" + secret).log("${body}");
                }
            });
            context.start();

            context.getEndpoints().forEach(e -> assertThat(e.toString()).doesNotContain(secret));
            context.close();
            assertThat(logs.text()).as("captured logs").doesNotContain(secret);
        }
    }

    @Test
    void anAclConfinesEachDeviceAccountToItsOwnControls() throws Exception {
        List<String> device401 = Collections.synchronizedList(new ArrayList<>());
        List<String> device402 = Collections.synchronizedList(new ArrayList<>());
        startContext(deviceRoutes(401, "dev401", "pass-401", device401));
        startContext(deviceRoutes(402, "dev402", "pass-402", device402));
        RawMqttClient snoop = new RawMqttClient(broker(), "snoop-401", "dev401", "pass-401");
        try {
            snoop.subscribe("$IOTOS/#");
            RawMqttClient platform = rawClient("raw-platform")
                    .subscribe("$IOTOS/device/endpoint/update/171/+/+/result");

            platform.publish("$IOTOS/device/endpoint/update/171/402/5", DeviceRoleSuite.control(5, "\"for-402\"", "a402"));
            platform.publish("$IOTOS/device/endpoint/update/171/401/5", DeviceRoleSuite.control(5, "\"for-401\"", "a401"));

            List<JsonNode> results = List.of(json(platform.next(WAIT)), json(platform.next(WAIT)));
            assertThat(results).extracting(r -> r.get("responseCode").asInt()).containsOnly(0);
            assertThat(device401).containsExactly("for-401");
            assertThat(device402).containsExactly("for-402");
            RawMqttClient.Received seen = snoop.next(WAIT);
            assertThat(seen.topic()).isEqualTo("$IOTOS/device/endpoint/update/171/401/5");
            assertThat(snoop.poll(Duration.ofMillis(500))).as("device 401's account sees nothing of 402").isNull();
        } finally {
            snoop.close();
        }
    }

    private RouteBuilder deviceRoutes(long device, String user, String password, List<String> received) {
        return new RouteBuilder() {
            @Override
            public void configure() {
                from("iotos:171/" + device + "?username=" + user + "&password=" + password)
                        .process(e -> received.add(e.getMessage().getBody(String.class)));
            }
        };
    }

    private static String causes(Throwable error) {
        StringBuilder sb = new StringBuilder();
        for (Throwable t = error; t != null; t = t.getCause()) {
            sb.append(t).append('\n');
        }
        return sb.toString();
    }

    private static int count(String text, String literal) {
        return (int) Pattern.compile(Pattern.quote(literal)).matcher(text).results().count();
    }
}
