package io.cameliotos.component.iotos.session;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UnclaimedMessagesTest {

    private static final String POINT_1963 = "$IOTOS/device/endpoint/update/171/401/1963";
    private static final String POINT_1964 = "$IOTOS/device/endpoint/update/171/401/1964";

    private static UnclaimedMessages.Message message(String topic, String text, long arrivedNanos) {
        return message(topic, text, 1, true, arrivedNanos);
    }

    private static UnclaimedMessages.Message message(String topic, String text, int qos, boolean unacknowledged,
            long arrivedNanos) {
        return message(topic, text, qos, unacknowledged, 1, 1, arrivedNanos);
    }

    private static UnclaimedMessages.Message message(String topic, String text, int qos, boolean unacknowledged,
            int messageId, int connection, long arrivedNanos) {
        return new UnclaimedMessages.Message(topic, bytes(text), qos, false, messageId, connection, unacknowledged,
                arrivedNanos);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(UnclaimedMessages.Message message) {
        return new String(message.payload(), StandardCharsets.UTF_8);
    }

    @Test
    void aListenerClaimsOnlyWhatItsFilterMatchesInArrivalOrder() {
        UnclaimedMessages held = new UnclaimedMessages(10, 1_000, 1_000);
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
        UnclaimedMessages held = new UnclaimedMessages(2, 1_000, 1_000);
        assertThat(held.hold(message(POINT_1963, "a", 0))).isEmpty();
        assertThat(held.hold(message(POINT_1963, "b", 500))).isEmpty();
        assertThat(held.hold(message(POINT_1963, "c", 600))).extracting(UnclaimedMessagesTest::text).containsExactly("a");

        assertThat(held.nextExpiryNanos()).isEqualTo(1_500);
        assertThat(held.expire(1_499)).isEmpty();
        assertThat(held.expire(1_500)).extracting(UnclaimedMessagesTest::text).containsExactly("b");
        assertThat(held.nextExpiryNanos()).isEqualTo(1_600);
        assertThat(held.clear()).extracting(UnclaimedMessagesTest::text).containsExactly("c");
        assertThat(held.isEmpty()).isTrue();
    }

    @Test
    void theOldestGoWhenTheHeldBytesWouldExceedTheLimit() {
        UnclaimedMessages held = new UnclaimedMessages(10, 10, 1_000);
        held.hold(message(POINT_1963, "aaaa", 0));
        held.hold(message(POINT_1963, "bbbb", 1));
        assertThat(held.bytes()).isEqualTo(8);

        assertThat(held.hold(message(POINT_1963, "ccccc", 2))).extracting(UnclaimedMessagesTest::text)
                .containsExactly("aaaa");
        assertThat(held.bytes()).isEqualTo(9);
        assertThat(held.hold(message(POINT_1963, "larger than all", 3)))
                .as("a message larger than the whole room is not held, and takes nothing else with it")
                .extracting(UnclaimedMessagesTest::text).containsExactly("larger than all");
        assertThat(held.claim(POINT_1963)).extracting(UnclaimedMessagesTest::text).containsExactly("bbbb", "ccccc");
        assertThat(held.bytes()).isZero();
    }

    @Test
    void countsWhatTheBrokerStillWaitsToHaveAcknowledgedOnAConnection() {
        UnclaimedMessages held = new UnclaimedMessages(10, 1_000, 1_000);
        held.hold(message(POINT_1963, "unacknowledged", 1, true, 1, 1, 0));
        held.hold(message(POINT_1963, "acknowledged", 1, false, 2, 1, 1));
        held.hold(message(POINT_1964, "of the first connection", 1, true, 3, 1, 2));
        held.hold(message(POINT_1964, "of the second connection", 1, true, 1, 2, 3));

        assertThat(held.unacknowledged(1)).isEqualTo(2);
        assertThat(held.unacknowledged(2)).isEqualTo(1);
    }

    @Test
    void aMessageSentAgainAfterAReconnectTakesThePlaceOfTheHeldOne() {
        UnclaimedMessages held = new UnclaimedMessages(10, 1_000, 1_000);
        held.hold(message(POINT_1963, "first", 1, true, 7, 1, 0));
        held.hold(message(POINT_1963, "second", 1, false, 8, 1, 1));
        held.hold(message(POINT_1963, "after the reconnect", 1, true, 9, 2, 2));

        assertThat(held.rebind(POINT_1964, bytes("first"), 1, 7, 2, true)).as("another topic").isNull();
        assertThat(held.rebind(POINT_1963, bytes("other"), 1, 7, 2, true)).as("another payload").isNull();
        assertThat(held.rebind(POINT_1963, bytes("first"), 2, 7, 2, true)).as("another QoS").isNull();
        assertThat(held.rebind(POINT_1963, bytes("second"), 1, 8, 2, true)).as("acknowledged already").isNull();
        assertThat(held.rebind(POINT_1963, bytes("first"), 1, 7, 2, true)).isNotNull();
        assertThat(held.unacknowledged(1)).isZero();
        assertThat(held.unacknowledged(2)).isEqualTo(2);
        assertThat(held.rebind(POINT_1963, bytes("first"), 1, 7, 2, false))
                .as("sent once more on the same connection, by a broker that retries: still to be acknowledged once, "
                    + "when claimed, however full the connection's window")
                .extracting(UnclaimedMessages.Message::unacknowledged).isEqualTo(true);
        assertThat(held.unacknowledged(2)).isEqualTo(2);

        assertThat(held.claim(POINT_1963)).satisfiesExactly(
                first -> assertThat(first).extracting(UnclaimedMessagesTest::text, UnclaimedMessages.Message::connection,
                        UnclaimedMessages.Message::duplicate).containsExactly("first", 2, true),
                second -> assertThat(text(second)).isEqualTo("second"),
                third -> assertThat(text(third)).isEqualTo("after the reconnect"));
    }

    @Test
    void aMessageSentAgainWhereNoMoreMayStayUnacknowledgedCountsAsAcknowledged() {
        UnclaimedMessages held = new UnclaimedMessages(10, 1_000, 1_000);
        held.hold(message(POINT_1963, "first", 1, true, 7, 1, 0));

        assertThat(held.rebind(POINT_1963, bytes("first"), 1, 7, 2, false))
                .extracting(UnclaimedMessages.Message::unacknowledged).as("for the caller to acknowledge").isEqualTo(false);
        assertThat(held.unacknowledged(2)).isZero();
        assertThat(held.claim(POINT_1963)).singleElement().satisfies(m -> {
            assertThat(m.connection()).isEqualTo(2);
            assertThat(m.unacknowledged()).isFalse();
        });
    }

    @Test
    void aClaimedMessagesResendIsRecognisedOnceAndOnlyByItsIdTopicQosAndPayload() {
        UnclaimedMessages held = new UnclaimedMessages(10, 1_000, 1_000);
        held.expectResend(message(POINT_1963, "first", 1, true, 7, 1, 0), 2);

        assertThat(held.expectsResends()).isTrue();
        assertThat(held.takeResend(POINT_1963, bytes("first"), 1, 8)).as("another packet ID").isFalse();
        assertThat(held.takeResend(POINT_1964, bytes("first"), 1, 7)).as("another topic").isFalse();
        assertThat(held.takeResend(POINT_1963, bytes("other"), 1, 7)).as("another payload").isFalse();
        assertThat(held.takeResend(POINT_1963, bytes("first"), 2, 7)).as("another QoS").isFalse();
        assertThat(held.takeResend(POINT_1963, bytes("first"), 1, 7)).isTrue();
        assertThat(held.takeResend(POINT_1963, bytes("first"), 1, 7)).as("expected once").isFalse();
        assertThat(held.expectsResends()).isFalse();
    }

    @Test
    void expectedResendsAreBounded() {
        UnclaimedMessages held = new UnclaimedMessages(2, 1_000, 1_000);
        for (int id = 1; id <= 3; id++) {
            held.expectResend(message(POINT_1963, "control " + id, 1, true, id, 1, 0), 2);
        }

        assertThat(held.takeResend(POINT_1963, bytes("control 1"), 1, 1)).as("the oldest gave way").isFalse();
        assertThat(held.takeResend(POINT_1963, bytes("control 2"), 1, 2)).isTrue();
        assertThat(held.takeResend(POINT_1963, bytes("control 3"), 1, 3)).isTrue();
    }

    @Test
    void aResendNotSentOnTheConnectionItWasExpectedOnIsForgottenAtTheNext() {
        UnclaimedMessages held = new UnclaimedMessages(10, 1_000, 1_000);
        held.expectResend(message(POINT_1963, "claimed while down", 1, true, 1, 1, 0), 2);
        held.expectResend(message(POINT_1963, "claimed after the reconnect", 1, true, 2, 1, 0), 2);

        held.connected(2, true);
        assertThat(held.expectsResends()).as("due on connection 2").isTrue();
        held.connected(3, true);
        assertThat(held.expectsResends()).isFalse();
        assertThat(held.takeResend(POINT_1963, bytes("claimed while down"), 1, 1)).isFalse();
    }

    @Test
    void aBrokerThatLostTheSessionWaitsOnNothingThatArrivedBefore() {
        UnclaimedMessages held = new UnclaimedMessages(10, 1_000, 1_000);
        held.hold(message(POINT_1963, "held", 1, true, 1, 1, 0));
        held.expectResend(message(POINT_1963, "claimed", 1, true, 2, 1, 0), 2);

        held.connected(2, false);

        assertThat(held.expectsResends()).isFalse();
        assertThat(held.unacknowledged(1)).as("nothing left to acknowledge").isZero();
        assertThat(held.claim(POINT_1963)).singleElement().satisfies(m -> {
            assertThat(text(m)).isEqualTo("held");
            assertThat(m.unacknowledged()).isFalse();
        });
    }
}
