package io.cameliotos.component.iotos;

import io.cameliotos.component.iotos.test.BrokerExtension;
import io.cameliotos.component.iotos.test.TestBroker;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Shared subscriptions on the embedded Java broker. */
class EmbeddedSharedSubscriptionTest extends SharedSubscriptionSuite {

    @RegisterExtension
    static final BrokerExtension BROKER = BrokerExtension.embedded();

    @Override
    protected TestBroker broker() {
        return BROKER.broker();
    }
}
