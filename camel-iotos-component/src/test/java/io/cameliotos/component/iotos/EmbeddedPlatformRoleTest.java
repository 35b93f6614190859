package io.cameliotos.component.iotos;

import io.cameliotos.component.iotos.test.BrokerExtension;
import io.cameliotos.component.iotos.test.TestBroker;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The platform-role suite against the embedded Java broker. */
class EmbeddedPlatformRoleTest extends PlatformRoleSuite {

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.embedded();

    @Override
    protected TestBroker broker() {
        return BROKER.broker();
    }
}
