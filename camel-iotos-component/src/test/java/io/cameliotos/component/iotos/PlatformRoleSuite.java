package io.cameliotos.component.iotos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import io.cameliotos.component.iotos.protocol.MessageType;
import io.cameliotos.component.iotos.protocol.PointValue;
import io.cameliotos.component.iotos.protocol.ResponseCodes;
import io.cameliotos.component.iotos.test.RawMqttClient;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ExchangePattern;
import org.apache.camel.builder.RouteBuilder;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The platform role against a real broker, talking to device-role routes in another CamelContext (another
 * connection), as a platform and a device would. Runs once per broker kind.
 */
abstract class PlatformRoleSuite extends IotosTestSupport {

    @Test
    void uploadsAreReceivedAndAcknowledgedPerPoint() throws Exception {
        List<Exchange> uploads = Collections.synchronizedList(new ArrayList<>());
        startContext(new RouteBuilder() {
            @Override
            public void configure() {
                from("iotos:*/*?role=platform").process(e -> uploads.add(e.copy()));
            }
        });
        RawMqttClient spy = rawClient("raw-spy").subscribe("$IOTOS/device/platform/update/171/401/+/result");
        CamelContext device = startContext(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:upload").to("iotos:171/401?awaitAck=true");
            }
        });

        Exchange sent = template(device).send("direct:upload", e -> e.getMessage().setBody(
                List.of(new PointValue(null, 1963, "7be6", "温度", 21.5, null), PointValue.of(1964, "on"))));

        assertThat(sent.getException()).isNull();
        assertThat(sent.getMessage().getHeader(IotosConstants.RESPONSE_CODE)).isEqualTo(0);
        assertThat(uploads).hasSize(1);
        var message = uploads.get(0).getMessage();
        assertThat(message.getHeader(IotosConstants.GATEWAY_ID)).isEqualTo(171L);
        assertThat(message.getHeader(IotosConstants.DEVICE_ID)).isEqualTo(401L);
        assertThat(message.getHeader(IotosConstants.MESSAGE_TYPE)).isEqualTo(MessageType.UPDATE);
        assertThat(message.getHeader(IotosConstants.REQUEST_ID))
                .isEqualTo(sent.getMessage().getHeader(IotosConstants.REQUEST_ID));
        List<?> points = message.getBody(List.class);
        assertThat(points).hasSize(2);
        PointValue first = (PointValue) points.get(0);
        assertThat(first.id()).isEqualTo(1963L);
        assertThat(first.name()).isEqualTo("温度");
        assertThat(first.value()).isEqualTo(21.5);

        List<JsonNode> results = List.of(json(spy.next(WAIT)), json(spy.next(WAIT)));
        assertThat(results).extracting(r -> r.get("id").asLong()).containsExactlyInAnyOrder(1963L, 1964L);
        assertThat(results).allSatisfy(r -> {
            assertThat(r.get("responseCode").asInt()).isZero();
            assertThat(r.get("requestId").asText()).isEqualTo(sent.getMessage().getHeader(IotosConstants.REQUEST_ID));
        });
    }

    @Test
    void aFailingPlatformRouteFailsTheDevicesAwaitAck() throws Exception {
        startContext(new RouteBuilder() {
            @Override
            public void configure() {
                from("iotos:171/401?role=platform").throwException(new IotosResponseException(1002, "rejected"));
            }
        });
        CamelContext device = startContext(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:upload").to("iotos:171/401/1963?awaitAck=true");
            }
        });

        assertThatThrownBy(() -> template(device).sendBody("direct:upload", 1)).cause()
                .isInstanceOfSatisfying(IotosResponseException.class, e -> {
                    assertThat(e.getResponseCode()).isEqualTo(1002);
                    assertThat(e.getResponseDesc()).isEqualTo("rejected");
                });
    }

    @Test
    void controlsAreAnsweredByTheDevice() throws Exception {
        startContext(new RouteBuilder() {
            @Override
            public void configure() {
                from("iotos:171/401").transform(simple("set to ${body}"));
            }
        });
        CamelContext platform = startContext(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:control").to("iotos:171/401/1963?role=platform&pointOid=7be6&pointName=温度");
            }
        });

        Exchange answered = template(platform).request("direct:control", e -> e.getMessage().setBody(25));

        assertThat(answered.getException()).isNull();
        assertThat(answered.getMessage().getBody()).isEqualTo("set to 25");
        assertThat(answered.getMessage().getHeader(IotosConstants.RESPONSE_CODE)).isEqualTo(0);
        assertThat(answered.getMessage().getHeader(IotosConstants.RESPONSE_DESC)).isEqualTo("OK");
        assertThat(answered.getMessage().getHeader(IotosConstants.MESSAGE_TYPE)).isEqualTo(MessageType.CONTROL_RESULT);
        assertThat(answered.getMessage().getHeader(IotosConstants.REQUEST_ID, String.class)).matches("[0-9a-f]{32}");
    }

    @Test
    void aControlCarriesTheRequestIdAndTimeTheRouteGave() throws Exception {
        RawMqttClient device = rawClient("raw-device").subscribe("$IOTOS/device/endpoint/update/171/401/1963");
        CamelContext platform = startContext(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:control").to("iotos:171/401/1963?role=platform");
            }
        });

        template(platform).send("direct:control", ExchangePattern.InOnly, e -> {
            e.getMessage().setHeader(IotosConstants.REQUEST_ID, "0123456789abcdef0123456789abcdef");
            e.getMessage().setHeader(IotosConstants.REQUEST_TIME, java.time.Instant.ofEpochMilli(1642502674510L));
            e.getMessage().setBody(25);
        });

        JsonNode control = json(device.next(WAIT));
        assertThat(control.get("requestId").asText()).isEqualTo("0123456789abcdef0123456789abcdef");
        assertThat(control.get("requestTime").decimalValue()).isEqualByComparingTo("1642502674510");
    }

    @Test
    void aConsumerForOnePointAnswersForThatPointOnly() throws Exception {
        startContext(new RouteBuilder() {
            @Override
            public void configure() {
                from("iotos:171/401/1963?role=platform").log("1963 accepted");
                from("iotos:171/401/1964?role=platform").throwException(new IllegalStateException("1964 refused"));
            }
        });
        RawMqttClient spy = rawClient("raw-spy").subscribe("$IOTOS/device/platform/update/171/401/+/result");
        CamelContext device = startContext(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:upload").to("iotos:171/401?awaitAck=true");
            }
        });

        Exchange sent = template(device).send("direct:upload", e -> e.getMessage().setBody(
                List.of(PointValue.of(1963, 21.5), PointValue.of(1964, "on"))));

        assertThat(sent.getException()).isInstanceOf(IotosResponseException.class);
        List<JsonNode> results = new ArrayList<>(List.of(json(spy.next(WAIT)), json(spy.next(WAIT))));
        // each consumer answered at once; a third result, if any, would be here well within a second
        RawMqttClient.Received more;
        while ((more = spy.poll(Duration.ofSeconds(1))) != null) {
            results.add(json(more));
        }
        assertThat(results).extracting(r -> r.get("id").asLong()).containsExactlyInAnyOrder(1963L, 1964L);
        assertThat(results).allSatisfy(r -> assertThat(r.get("responseCode").asInt())
                .isEqualTo(r.get("id").asLong() == 1963L ? 0 : ResponseCodes.INTERNAL_ERROR));
    }

    @Test
    void twoControlsInOneRouteAreTwoRequests() throws Exception {
        List<String> requestIds = new java.util.concurrent.CopyOnWriteArrayList<>();
        startContext(new RouteBuilder() {
            @Override
            public void configure() {
                from("iotos:171/401")
                        .process(e -> requestIds.add(e.getMessage().getHeader(IotosConstants.REQUEST_ID, String.class)))
                        .transform(simple("set to ${body}"));
            }
        });
        CamelContext platform = startContext(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:control").to("iotos:171/401/1963?role=platform")
                        .setBody(constant(0)).to("iotos:171/401/1963?role=platform");
            }
        });

        Exchange answered = template(platform).request("direct:control", e -> e.getMessage().setBody(25));

        assertThat(answered.getException()).isNull();
        assertThat(answered.getMessage().getBody()).isEqualTo("set to 0");
        assertThat(requestIds).hasSize(2).doesNotHaveDuplicates();
    }

    @Test
    void aWildcardProducerTakesTheAddressFromHeaders() throws Exception {
        startContext(new RouteBuilder() {
            @Override
            public void configure() {
                from("iotos:171/402").setBody(header(IotosConstants.POINT_ID));
            }
        });
        CamelContext platform = startContext(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:control").to("iotos:*/*/*?role=platform");
            }
        });

        Object body = template(platform).requestBodyAndHeaders("direct:control", "x", Map.of(
                IotosConstants.GATEWAY_ID, 171, IotosConstants.DEVICE_ID, "402", IotosConstants.POINT_ID, 77L));

        assertThat(((Number) body).longValue()).isEqualTo(77L);
        assertThatThrownBy(() -> template(platform).requestBody("direct:control", "x"))
                .rootCause().hasMessageContaining("set the CamelIotosGatewayId header");
    }

    @Test
    void aFailingDeviceRouteFailsTheControlWithItsCodeAndMessage() throws Exception {
        startContext(new RouteBuilder() {
            @Override
            public void configure() {
                from("iotos:171/401/1963").throwException(new IllegalArgumentException("bad set-point"));
            }
        });
        CamelContext platform = startContext(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:control").to("iotos:171/401/1963?role=platform");
            }
        });

        assertThatThrownBy(() -> template(platform).requestBody("direct:control", -1)).cause()
                .isInstanceOfSatisfying(IotosResponseException.class, e -> {
                    assertThat(e.getResponseCode()).isEqualTo(ResponseCodes.INTERNAL_ERROR);
                    assertThat(e.getResponseDesc()).isEqualTo("bad set-point");
                });
    }

    @Test
    void aControlNobodyAnswersTimesOut() throws Exception {
        CamelContext platform = startContext(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:control").to("iotos:171/499/1963?role=platform&ackTimeout=300");
            }
        });

        assertThatThrownBy(() -> template(platform).requestBody("direct:control", 1)).cause()
                .isInstanceOfSatisfying(IotosResponseException.class,
                        e -> assertThat(e.getResponseCode()).isEqualTo(ResponseCodes.TIMEOUT));
    }

    @Test
    void anInOnlyControlWithAwaitAckWaitsForTheResultAndFailsWithItsCode() throws Exception {
        startContext(new RouteBuilder() {
            @Override
            public void configure() {
                from("iotos:171/401/1963").throwException(new IotosResponseException(4001, "valve jammed"));
            }
        });
        CamelContext platform = startContext(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:control").to(ExchangePattern.InOnly, "iotos:171/401/1963?role=platform&awaitAck=true");
            }
        });

        assertThatThrownBy(() -> template(platform).sendBody("direct:control", 1)).cause()
                .isInstanceOfSatisfying(IotosResponseException.class, e -> {
                    assertThat(e.getResponseCode()).isEqualTo(4001);
                    assertThat(e.getResponseDesc()).isEqualTo("valve jammed");
                });
    }

    @Test
    void anInOnlyControlDoesNotWait() throws Exception {
        RawMqttClient device = rawClient("raw-device").subscribe("$IOTOS/device/endpoint/update/171/401/1963");
        CamelContext platform = startContext(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:control").to(ExchangePattern.InOnly, "iotos:171/401/1963?role=platform&ackTimeout=100");
            }
        });

        template(platform).sendBody("direct:control", "fire-and-forget");

        JsonNode control = json(device.next(WAIT));
        assertThat(control.get("id").asLong()).isEqualTo(1963);
        assertThat(control.get("value").asText()).isEqualTo("fire-and-forget");
        assertThat(control.get("ts").decimalValue().longValue()).as("control ts in ms")
                .isGreaterThan(100_000_000_000L);
    }

    @Test
    void theDefaultPlatformClientIdIsUniqueAndNeverADevicesId() throws Exception {
        CamelContext first = startContext();
        CamelContext second = startContext();
        IotosEndpoint a = first.getEndpoint("iotos:*/*?role=platform", IotosEndpoint.class);
        IotosEndpoint b = second.getEndpoint("iotos:*/*?role=platform", IotosEndpoint.class);

        assertThat(a.effectiveClientId()).startsWith("iotos_platform_").doesNotStartWith("device_")
                .isNotEqualTo(b.effectiveClientId());
        assertThat(first.getEndpoint("iotos:1/2", IotosEndpoint.class).effectiveClientId()).isEqualTo("device_1_2");
    }

    @Test
    void uploadsFromManyDevicesReachOneWildcardConsumer() throws Exception {
        List<String> from = Collections.synchronizedList(new ArrayList<>());
        startContext(new RouteBuilder() {
            @Override
            public void configure() {
                from("iotos:*/*?role=platform").process(e -> from.add(
                        e.getMessage().getHeader(IotosConstants.GATEWAY_ID) + "/"
                                                                        + e.getMessage().getHeader(IotosConstants.DEVICE_ID)));
            }
        });
        CamelContext devices = startContext(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:a").to("iotos:1/10/100?awaitAck=true");
                from("direct:b").to("iotos:2/20/200?awaitAck=true");
            }
        });

        template(devices).sendBody("direct:a", 1);
        template(devices).sendBody("direct:b", 2);

        await().atMost(Duration.ofSeconds(5)).until(() -> from.size() == 2);
        assertThat(from).containsExactlyInAnyOrder("1/10", "2/20");
        assertThat(devices.getComponent("iotos", IotosComponent.class).getSessions().sessions())
                .as("one connection per device").hasSize(2);
    }
}
