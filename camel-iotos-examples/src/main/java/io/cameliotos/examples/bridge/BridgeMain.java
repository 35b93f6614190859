package io.cameliotos.examples.bridge;

import org.apache.camel.main.Main;

/**
 * Runs the bridge with {@code bridge/application.properties}; environment variables override its settings (see
 * camel-iotos-examples/README.md).
 */
public final class BridgeMain {

    private BridgeMain() {
    }

    public static void main(String[] args) throws Exception {
        create().run(args);
    }

    /** The bridge's Camel Main, not yet started. */
    public static Main create() {
        Main main = new Main();
        main.setPropertyPlaceholderLocations("classpath:bridge/application.properties");
        main.configure().addRoutesBuilder(new BridgeRoutes());
        return main;
    }
}
