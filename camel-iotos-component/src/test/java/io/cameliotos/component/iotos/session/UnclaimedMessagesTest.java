package io.cameliotos.component.iotos.session;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UnclaimedMessagesTest {

    private static final String POINT_1963 = "$IOTOS/device/endpoint/update/171/401/1963";
    private static final String POINT_1964 = "$IOTOS/device/endpoint/update/171/401/1964";

    private static UnclaimedMessages.Message message(String topic, String text, long arrivedNanos) {
        return message(topic, text, 1, false, arrivedNanos);
    }

    private static UnclaimedMessages.Message message(String topic, String text, int qos, boolean acknowledged,
            long arrivedNanos) {
        return new UnclaimedMessages.Message(topic, text.getBytes(StandardCharsets.UTF_8), qos, false, 1, 1,
                acknowledged, arrivedNanos);
    }

    private static String text(UnclaimedMessages.Message message) {
        return new String(message.payload(), StandardCharsets.UTF_8);
    }

    @Test
    void aListenerClaimsOnlyWhatItsFilterMatchesInArrivalOrder() {
        UnclaimedMessages held = new UnclaimedMessages(10, 1_000);
        held.hold(message(POINT_1963, "a", 0));
        held.hold(message(POINT_1964, "b", 1));
        held.hold(message(POINT_1963, "c", 2));

        assertThat(held.claim(POINT_1963)).extracting(UnclaimedMessagesTest::text).containsExactly("a", "c");
        assertThat(held.size()).isEqualTo(1);
        assertThat(held.claim(POINT_1963)).isEmpty();
        assertThat(held.claim("$share/devices/$IOTOS/device/endpoint/update/171/401/+"))
                .extracting(UnclaimedMessagesTest::text).containsExactly("b");
        assertThat(held.isEmpty()).isTrue();
    }

    @Test
    void theOldestGoWhenFullOrTooOld() {
        UnclaimedMessages held = new UnclaimedMessages(2, 1_000);
        assertThat(held.hold(message(POINT_1963, "a", 0))).isNull();
        assertThat(held.hold(message(POINT_1963, "b", 500))).isNull();
        assertThat(held.hold(message(POINT_1963, "c", 600))).extracting(UnclaimedMessagesTest::text).isEqualTo("a");

        assertThat(held.nextExpiryNanos()).isEqualTo(1_500);
        assertThat(held.expire(1_499)).isEmpty();
        assertThat(held.expire(1_500)).extracting(UnclaimedMessagesTest::text).containsExactly("b");
        assertThat(held.nextExpiryNanos()).isEqualTo(1_600);
        assertThat(held.clear()).extracting(UnclaimedMessagesTest::text).containsExactly("c");
        assertThat(held.isEmpty()).isTrue();
    }

    @Test
    void countsWhatTheBrokerStillWaitsToHaveAcknowledged() {
        UnclaimedMessages held = new UnclaimedMessages(10, 1_000);
        held.hold(message(POINT_1963, "unacknowledged", 1, false, 0));
        held.hold(message(POINT_1963, "acknowledged", 1, true, 1));
        held.hold(message(POINT_1964, "qos 0", 0, false, 2));
        held.hold(message(POINT_1964, "qos 2", 2, false, 3));
        assertThat(held.unacknowledged()).isEqualTo(2);

        assertThat(held.takeIf(UnclaimedMessages.Message::unacknowledged)).extracting(UnclaimedMessagesTest::text)
                .containsExactly("unacknowledged", "qos 2");
        assertThat(held.unacknowledged()).isZero();
        assertThat(held.size()).isEqualTo(2);
    }
}
