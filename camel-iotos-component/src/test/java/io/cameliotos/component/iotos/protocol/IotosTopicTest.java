package io.cameliotos.component.iotos.protocol;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IotosTopicTest {

    @Test
    void buildsTheFourTopicsOfTheProtocolPage() {
        assertThat(IotosTopic.upload(171, 401).toTopicName()).isEqualTo("$IOTOS/device/platform/update/171/401");
        assertThat(IotosTopic.uploadResult(171, 401, 1963).toTopicName())
                .isEqualTo("$IOTOS/device/platform/update/171/401/1963/result");
        assertThat(IotosTopic.control(171, 401, 1963).toTopicName())
                .isEqualTo("$IOTOS/device/endpoint/update/171/401/1963");
        assertThat(IotosTopic.controlResult(171, 401, 1963).toTopicName())
                .isEqualTo("$IOTOS/device/endpoint/update/171/401/1963/result");
    }

    @Test
    void buildsFiltersWithWildcards() {
        assertThat(IotosTopic.control(171, 401, IotosTopic.ANY).toFilter())
                .isEqualTo("$IOTOS/device/endpoint/update/171/401/+");
        assertThat(IotosTopic.upload(IotosTopic.ANY, IotosTopic.ANY).toFilter())
                .isEqualTo("$IOTOS/device/platform/update/+/+");
        assertThat(IotosTopic.uploadResult(171, 401, IotosTopic.ANY).toFilter())
                .isEqualTo("$IOTOS/device/platform/update/171/401/+/result");
        assertThatThrownBy(() -> IotosTopic.control(171, 401, IotosTopic.ANY).toTopicName())
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void parsesEveryFlowBackToItsAddress() {
        for (IotosTopic topic : new IotosTopic[] {
                IotosTopic.upload(171, 401), IotosTopic.uploadResult(171, 401, 1963),
                IotosTopic.control(171, 401, 1963), IotosTopic.controlResult(171, 401, 1963) }) {
            assertThat(IotosTopic.parse(topic.toTopicName())).isEqualTo(topic);
        }
    }

    @Test
    void resultTopicOfAControl() {
        assertThat(IotosTopic.control(1, 2, 3).withType(MessageType.CONTROL_RESULT))
                .isEqualTo(IotosTopic.controlResult(1, 2, 3));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "$IOTOS/device/platform/update/171", "$IOTOS/device/platform/update/171/401/1963",
            "$IOTOS/device/endpoint/update/171/401", "$IOTOS/device/endpoint/update/171/401/x",
            "$IOTOS/device/endpoint/update/171/0/5", "$IOTOS/device/endpoint/update/171/401/5/result/x",
            "IOTOS/device/endpoint/update/171/401/5", "$IOTOS/device/other/update/1/2", "" })
    void rejectsTopicsOutsideTheProtocol(String topic) {
        assertThatThrownBy(() -> IotosTopic.parse(topic)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void uploadsHaveNoPoint() {
        assertThatThrownBy(() -> new IotosTopic(MessageType.UPDATE, 1, 2, 3))
                .hasMessageContaining("addresses a device");
    }
}
