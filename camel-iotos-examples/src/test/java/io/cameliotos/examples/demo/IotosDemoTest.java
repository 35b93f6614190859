package io.cameliotos.examples.demo;

import io.cameliotos.component.iotos.test.Ports;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The demo runs by itself against its embedded broker and sees all four flows. */
class IotosDemoTest {

    @Test
    void theDemoShowsAllFourFlowsAndExitsZero() throws Exception {
        System.setProperty("demo.uploadPeriod", "300");
        System.setProperty("demo.controlPeriod", "700");
        try {
            DemoSettings settings = new DemoSettings(null, DemoSettings.DEMO_USER, DemoSettings.DEMO_PASSWORD, 171, 401,
                    1963, 1964, 1965, 402, 2002, 6, Ports.free());

            assertThat(IotosDemo.run(settings)).as("exit code: every flow seen").isZero();
        } finally {
            System.clearProperty("demo.uploadPeriod");
            System.clearProperty("demo.controlPeriod");
        }
    }

    @Test
    void settingsComeFromPropertiesAndOnlyForeverIsAnArgument() {
        System.setProperty("iotos.brokerUrl", "tcp://mqtt.example:1883");
        System.setProperty("iotos.gatewayId", "7");
        try {
            DemoSettings settings = DemoSettings.fromEnvironment(new String[] { "--forever" });

            assertThat(settings.embedded()).isFalse();
            assertThat(settings.gatewayId()).isEqualTo(7);
            assertThat(settings.durationSeconds()).as("--forever").isZero();
            assertThat(settings.pumpEnabled()).as("the pump device only when configured").isFalse();
        } finally {
            System.clearProperty("iotos.brokerUrl");
            System.clearProperty("iotos.gatewayId");
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DemoSettings.fromEnvironment(new String[] { "-x" }))
                .hasMessageContaining("--forever");
    }
}
