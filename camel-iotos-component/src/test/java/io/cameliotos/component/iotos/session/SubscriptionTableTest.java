package io.cameliotos.component.iotos.session;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SubscriptionTableTest {

    private final SubscriptionTable table = new SubscriptionTable(false);
    private final List<String> deliveries = new ArrayList<>();

    private SubscriptionTable.Registration listener(String name, String filter) {
        return new SubscriptionTable.Registration(filter, 1, (topic, payload, qos, dup) -> deliveries.add(name));
    }

    @Test
    void keepsOnlyTheCoveringFilterAtTheBroker() {
        SubscriptionTable.Registration point = listener("point", "$IOTOS/e/171/401/1963");
        SubscriptionTable.Change first = table.add(point);
        assertThat(first.subscribe()).containsOnlyKeys("$IOTOS/e/171/401/1963");

        SubscriptionTable.Registration device = listener("device", "$IOTOS/e/171/401/+");
        SubscriptionTable.Change second = table.add(device);
        assertThat(second.subscribe()).containsOnlyKeys("$IOTOS/e/171/401/+");
        assertThat(second.unsubscribe()).containsExactly("$IOTOS/e/171/401/1963");

        SubscriptionTable.Change third = table.remove(device);
        assertThat(third.subscribe()).containsOnlyKeys("$IOTOS/e/171/401/1963");
        assertThat(third.unsubscribe()).containsExactly("$IOTOS/e/171/401/+");
    }

    @Test
    void identicalFiltersShareOneBrokerSubscription() {
        table.add(listener("a", "$IOTOS/x/+"));
        SubscriptionTable.Change second = table.add(listener("b", "$IOTOS/x/+"));

        assertThat(second.isEmpty()).isTrue();
        assertThat(table.brokerFilters()).isEqualTo(Map.of("$IOTOS/x/+", 1));
    }

    @Test
    void deliversEachMessageOnceToEveryMatchingListener() {
        table.add(listener("point", "$IOTOS/e/1/2/3"));
        table.add(listener("device", "$IOTOS/e/1/2/+"));
        table.add(listener("other", "$IOTOS/e/1/9/+"));

        int delivered = table.dispatch("$IOTOS/e/1/2/3", new byte[0], 1, false);

        assertThat(delivered).isEqualTo(2);
        assertThat(deliveries).containsExactlyInAnyOrder("point", "device");
    }

    @Test
    void aRefusedFilterFailsItsOwnListenersAndTheFiltersItCoveredAreSubscribedOnTheirOwn() {
        SubscriptionTable.Registration point = listener("point", "$IOTOS/e/1/2/3");
        table.add(point);
        table.acknowledged("$IOTOS/e/1/2/3");
        SubscriptionTable.Registration device = listener("device", "$IOTOS/e/1/2/+");
        SubscriptionTable.Change covering = table.add(device);
        assertThat(covering.unsubscribe()).containsExactly("$IOTOS/e/1/2/3");

        SubscriptionTable.Change change = table.refused("$IOTOS/e/1/2/+", new SubscriptionRefusedException("no"));

        assertThat(device.ready()).isCompletedExceptionally();
        assertThat(point.ready()).isCompleted();
        assertThat(change.subscribe()).containsOnlyKeys("$IOTOS/e/1/2/3");
        assertThat(change.unsubscribe()).isEmpty();
        assertThat(table.brokerFilters()).as("after a reconnect too")
                .containsOnlyKeys("$IOTOS/e/1/2/+", "$IOTOS/e/1/2/3");

        SubscriptionTable.Change removed = table.remove(device);
        assertThat(removed.unsubscribe()).containsExactly("$IOTOS/e/1/2/+");
        assertThat(removed.subscribe()).isEmpty();
    }

    @Test
    void readyCompletesWhenACoveringFilterIsAcknowledged() {
        SubscriptionTable.Registration point = listener("point", "$IOTOS/e/1/2/3");
        table.add(point);
        table.add(listener("device", "$IOTOS/e/1/2/+"));
        assertThat(point.ready().isDone()).isFalse();

        table.acknowledged("$IOTOS/e/1/2/+");

        assertThat(point.ready().isDone()).isTrue();
    }

    @Test
    void listenersOfOneSharedSubscriptionTakeTurns() {
        table.add(listener("a", "$share/g/$IOTOS/u/+"));
        table.add(listener("b", "$share/g/$IOTOS/u/+"));
        table.add(listener("plain", "$IOTOS/u/+"));

        for (int i = 0; i < 4; i++) {
            assertThat(table.dispatch("$IOTOS/u/1", new byte[0], 1, false)).isEqualTo(2);
        }

        assertThat(deliveries).filteredOn("plain"::equals).hasSize(4);
        assertThat(deliveries).filteredOn("a"::equals).hasSize(2);
        assertThat(deliveries).filteredOn("b"::equals).hasSize(2);
    }

    @Test
    void aRetiredListenerStillListedGetsNothingAndItsSharedTurnGoesToTheNextMember() {
        // retired but still listed: what a dispatch sees that read the listeners just before the removal
        SubscriptionTable.Registration a = listener("a", "$share/g/$IOTOS/u/+");
        table.add(a);
        table.add(listener("b", "$share/g/$IOTOS/u/+"));
        SubscriptionTable.Registration plain = listener("plain", "$IOTOS/u/+");
        table.add(plain);
        a.retire();
        plain.retire();

        for (int i = 0; i < 4; i++) {
            assertThat(table.dispatch("$IOTOS/u/1", new byte[0], 1, false)).isEqualTo(1);
        }

        assertThat(deliveries).containsExactly("b", "b", "b", "b");
    }

    @Test
    void aPersistentSessionKeepsAFilterItsListenersLeftAndItStillCoversTheFiltersAddedLater() {
        SubscriptionTable persistent = new SubscriptionTable(true);
        SubscriptionTable.Registration device = listener("device", "$IOTOS/e/171/401/+");
        SubscriptionTable.Registration point = listener("point", "$IOTOS/e/171/401/1963");
        persistent.add(device);
        persistent.add(point);

        SubscriptionTable.Change deviceGone = persistent.remove(device);
        assertThat(deviceGone.isEmpty()).as("kept, and the point's filter not subscribed beside it").isTrue();
        SubscriptionTable.Change pointGone = persistent.remove(point);
        assertThat(pointGone.isEmpty()).isTrue();
        SubscriptionTable.Change pointAgain = persistent.add(listener("point again", "$IOTOS/e/171/401/1963"));
        assertThat(pointAgain.isEmpty()).isTrue();
        assertThat(persistent.brokerFilters()).isEqualTo(Map.of("$IOTOS/e/171/401/+", 1));
    }

    @Test
    void aPersistentSessionGivesUpAKeptFilterOnlyForOneThatCoversIt() {
        SubscriptionTable persistent = new SubscriptionTable(true);
        SubscriptionTable.Registration point = listener("point", "$IOTOS/e/171/401/1963");
        persistent.add(point);
        persistent.remove(point);
        SubscriptionTable.Change other = persistent.add(listener("other", "$IOTOS/e/171/401/1964"));
        assertThat(other.subscribe()).containsOnlyKeys("$IOTOS/e/171/401/1964");
        assertThat(other.unsubscribe()).isEmpty();

        SubscriptionTable.Change device = persistent.add(listener("device", "$IOTOS/e/171/401/+"));
        assertThat(device.subscribe()).containsOnlyKeys("$IOTOS/e/171/401/+");
        assertThat(device.unsubscribe()).containsExactlyInAnyOrder("$IOTOS/e/171/401/1963", "$IOTOS/e/171/401/1964");
        assertThat(persistent.brokerFilters()).isEqualTo(Map.of("$IOTOS/e/171/401/+", 1));
    }

    @Test
    void aPersistentSessionDoesNotKeepAFilterTheBrokerRefused() {
        SubscriptionTable persistent = new SubscriptionTable(true);
        SubscriptionTable.Registration device = listener("device", "$IOTOS/e/171/401/+");
        persistent.add(device);
        persistent.refused("$IOTOS/e/171/401/+", new SubscriptionRefusedException("refused"));

        SubscriptionTable.Change gone = persistent.remove(device);
        assertThat(gone.unsubscribe()).containsExactly("$IOTOS/e/171/401/+");
        assertThat(persistent.brokerFilters()).isEmpty();
    }

    @Test
    void aPersistentSessionSubscribesAKeptFilterAgainWhenTheWiderOneReplacingItIsRefused() {
        SubscriptionTable persistent = new SubscriptionTable(true);
        SubscriptionTable.Registration point = listener("point", "$IOTOS/e/171/401/1963");
        persistent.add(point);
        persistent.remove(point);
        SubscriptionTable.Registration device = listener("device", "$IOTOS/e/171/401/+");
        assertThat(persistent.add(device).unsubscribe()).containsExactly("$IOTOS/e/171/401/1963");

        SubscriptionTable.Change refused = persistent.refused("$IOTOS/e/171/401/+",
                new SubscriptionRefusedException("refused"));
        assertThat(refused.subscribe()).as("the stopped route's filter, so the broker queues for it again")
                .containsOnlyKeys("$IOTOS/e/171/401/1963");
        SubscriptionTable.Change deviceGone = persistent.remove(device);
        assertThat(deviceGone.unsubscribe()).containsExactly("$IOTOS/e/171/401/+");
        assertThat(persistent.brokerFilters()).isEqualTo(Map.of("$IOTOS/e/171/401/1963", 1));
    }
}
