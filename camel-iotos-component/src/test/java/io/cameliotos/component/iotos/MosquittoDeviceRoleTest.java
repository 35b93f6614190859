package io.cameliotos.component.iotos;

import io.cameliotos.component.iotos.test.BrokerExtension;
import io.cameliotos.component.iotos.test.TestBroker;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The device-role suite against a Mosquitto process. */
class MosquittoDeviceRoleTest extends DeviceRoleSuite {

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.mosquitto();

    @Override
    protected TestBroker broker() {
        return BROKER.broker();
    }
}
