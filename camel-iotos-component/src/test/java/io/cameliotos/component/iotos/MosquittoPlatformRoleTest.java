package io.cameliotos.component.iotos;

import io.cameliotos.component.iotos.test.BrokerExtension;
import io.cameliotos.component.iotos.test.TestBroker;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The platform-role suite against a Mosquitto process. */
class MosquittoPlatformRoleTest extends PlatformRoleSuite {

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.mosquitto();

    @Override
    protected TestBroker broker() {
        return BROKER.broker();
    }
}
