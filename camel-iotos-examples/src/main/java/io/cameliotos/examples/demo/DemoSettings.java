package io.cameliotos.examples.demo;

import java.util.Locale;

/**
 * What the demo connects to. Every setting is a system property ({@code -Diotos.brokerUrl=...}) or an environment
 * variable ({@code IOTOS_BROKER_URL=...}); the property wins. With a broker URL the demo talks to that broker (a real
 * IOTOS platform) and starts neither the embedded broker nor the platform simulator.
 */
record DemoSettings(String brokerUrl, String username, String password, long gatewayId, long thermostatDeviceId,
        long temperaturePointId, long humidityPointId, long setpointPointId, long pumpDeviceId, long pumpSpeedPointId,
        int durationSeconds, int brokerPort) {

    static final String DEMO_USER = "demo";
    static final String DEMO_PASSWORD = "demo-password";

    static DemoSettings fromEnvironment(String[] args) {
        boolean forever = false;
        for (String arg : args) {
            if ("--forever".equals(arg)) {
                forever = true;
            } else {
                throw new IllegalArgumentException("unknown argument " + arg + "; the only argument is --forever");
            }
        }
        String url = setting("iotos.brokerUrl", null);
        boolean real = url != null;
        return new DemoSettings(url,
                setting("iotos.username", real ? null : DEMO_USER),
                setting("iotos.password", real ? null : DEMO_PASSWORD),
                number("iotos.gatewayId", 171),
                number("iotos.deviceId", 401),
                number("iotos.temperaturePointId", 1963),
                number("iotos.humidityPointId", 1964),
                number("iotos.setpointPointId", 1965),
                number("iotos.pumpDeviceId", real ? 0 : 402),
                number("iotos.pumpSpeedPointId", 2002),
                forever ? 0 : (int) number("demo.duration", 30),
                (int) number("demo.brokerPort", 0));
    }

    /** True when the demo runs against its own broker and simulator. */
    boolean embedded() {
        return brokerUrl == null;
    }

    boolean pumpEnabled() {
        return pumpDeviceId > 0;
    }

    private static String setting(String property, String fallback) {
        String value = System.getProperty(property);
        if (value == null) {
            value = System.getenv(property.replaceAll("([a-z])([A-Z])", "$1_$2").replace('.', '_')
                    .toUpperCase(Locale.ROOT));
        }
        return value == null || value.isBlank() ? fallback : value;
    }

    private static long number(String property, long fallback) {
        String value = setting(property, null);
        try {
            return value == null ? fallback : Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(property + " must be a number, was '" + value + "'");
        }
    }
}
