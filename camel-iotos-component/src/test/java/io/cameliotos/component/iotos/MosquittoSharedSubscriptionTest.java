package io.cameliotos.component.iotos;

import io.cameliotos.component.iotos.test.BrokerExtension;
import io.cameliotos.component.iotos.test.TestBroker;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Shared subscriptions on a Mosquitto process. */
class MosquittoSharedSubscriptionTest extends SharedSubscriptionSuite {

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.mosquitto();

    @Override
    protected TestBroker broker() {
        return BROKER.broker();
    }
}
