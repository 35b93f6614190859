package io.cameliotos.component.iotos.session;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The session socket's output as the MQTT client's sender drives it: each packet written, then flushed. Packets are
 * held only while the backlog says a publish follows, and always leave in the order they were written.
 */
class CoalescingOutputTest {

    private static final byte[] PUBLISH_A = { 0x30, 0x03, 0x00, 0x01, 'a' };
    private static final byte[] PUBLISH_B = { 0x30, 0x03, 0x00, 0x01, 'b' };
    private static final byte[] PUBACK = { 0x40, 0x02, 0x00, 0x07 };
    private static final byte[] PINGREQ = { (byte) 0xC0, 0x00 };

    private final SendBacklog backlog = new SendBacklog(1000);
    private final RecordingSocketOutput socket = new RecordingSocketOutput();
    private final BufferedSocketFactory.Output output = new BufferedSocketFactory.Output(socket, backlog);

    @Test
    void aPublishWithAnotherQueuedBehindItLeavesWithThatOne() throws Exception {
        backlog.accepted();
        backlog.accepted();

        packet(PUBLISH_A);
        assertThat(socket.writes).isEmpty();
        packet(PUBLISH_B);

        assertThat(socket.writes).containsExactly(concat(PUBLISH_A, PUBLISH_B));
        assertThat(socket.flushes).isEqualTo(1);
    }

    @Test
    void thePublishOfABurstThatNothingFollowsLeavesAtOnce() throws Exception {
        backlog.accepted();

        packet(PUBLISH_A);

        assertThat(socket.writes).containsExactly(PUBLISH_A);
    }

    /** The client's sender may write a publish before the session counted it; that must not hold a later one. */
    @Test
    void aPublishWrittenBeforeItWasCountedHoldsNothingBack() throws Exception {
        packet(PUBLISH_A);
        backlog.accepted();
        backlog.accepted();

        packet(PUBLISH_B);

        assertThat(socket.writes).containsExactly(PUBLISH_A, PUBLISH_B);
    }

    @Test
    void anAcknowledgementWaitsForAQueuedPublishButOtherPacketsLeaveAtOnceWithWhatWasHeld() throws Exception {
        backlog.accepted();

        packet(PUBACK);
        assertThat(socket.writes).isEmpty();
        packet(PINGREQ);
        assertThat(socket.writes).containsExactly(concat(PUBACK, PINGREQ));

        for (byte[] control : List.of(new byte[] { 0x10, 0x00 }, new byte[] { (byte) 0x82, 0x00 },
                new byte[] { (byte) 0xA2, 0x00 }, new byte[] { (byte) 0xE0, 0x00 })) {
            socket.writes.clear();
            packet(control);
            assertThat(socket.writes).as("packet type %x", control[0] & 0xF0).containsExactly(control);
        }
    }

    @Test
    void aPacketLargerThanTheBufferGoesOutAfterWhatWasHeldInOrder() throws Exception {
        backlog.accepted();
        backlog.accepted();
        backlog.accepted();
        byte[] large = new byte[BufferedSocketFactory.OUTPUT_BUFFER_SIZE + 100];
        large[0] = 0x30;
        Arrays.fill(large, 1, large.length, (byte) 'x');

        packet(PUBLISH_A);
        // as the client writes a large payload: in chunks
        for (int off = 0; off < large.length; off += 1024) {
            output.write(large, off, Math.min(1024, large.length - off));
        }
        output.flush();
        packet(PUBLISH_B);

        assertThat(socket.bytes()).isEqualTo(concat(PUBLISH_A, large, PUBLISH_B));
        assertThat(socket.flushes).isEqualTo(1);
    }

    @Test
    void singleByteWritesAreCollectedLikeArrays() throws Exception {
        backlog.accepted();
        backlog.accepted();

        for (byte b : PUBLISH_A) {
            output.write(b);
        }
        output.flush();
        assertThat(socket.writes).isEmpty();
        packet(PUBLISH_B);

        assertThat(socket.bytes()).isEqualTo(concat(PUBLISH_A, PUBLISH_B));
    }

    @Test
    void aNewConnectionForgetsWhatTheLastOneHadQueued() throws Exception {
        backlog.accepted();
        backlog.accepted();
        backlog.reset();

        packet(PUBLISH_A);

        assertThat(socket.writes).containsExactly(PUBLISH_A);
    }

    /**
     * If the session let more publishes into the client than its window holds, the client's sender would wait for an
     * acknowledgement with a positive count: one of the window must then be on its way.
     */
    @Test
    void neverAWholeInFlightWindowIsHeld() throws Exception {
        SendBacklog windowOfTwoBacklog = new SendBacklog(2);
        BufferedSocketFactory.Output windowOfTwo = new BufferedSocketFactory.Output(socket, windowOfTwoBacklog);
        for (int i = 0; i < 4; i++) {
            windowOfTwoBacklog.accepted();
        }

        packet(windowOfTwo, PUBLISH_A);
        assertThat(socket.writes).isEmpty();
        packet(windowOfTwo, PUBLISH_B);

        assertThat(socket.writes).containsExactly(concat(PUBLISH_A, PUBLISH_B));
        packet(windowOfTwo, PUBLISH_A);
        assertThat(socket.writes).hasSize(1);
    }

    @Test
    void aWindowOfOneHoldsNoPublish() throws Exception {
        SendBacklog windowOfOneBacklog = new SendBacklog(1);
        BufferedSocketFactory.Output windowOfOne = new BufferedSocketFactory.Output(socket, windowOfOneBacklog);
        windowOfOneBacklog.accepted();
        windowOfOneBacklog.accepted();

        packet(windowOfOne, PUBLISH_A);

        assertThat(socket.writes).containsExactly(PUBLISH_A);
    }

    /** As the client writes: through a BufferedOutputStream of 8 KiB that hands over a large packet in big pieces. */
    @Test
    void aLargePacketThroughTheClientsOwnBufferGoesOutWholeAfterWhatWasHeld() throws Exception {
        java.io.BufferedOutputStream client = new java.io.BufferedOutputStream(output, 8192);
        backlog.accepted();
        backlog.accepted();
        backlog.accepted();
        byte[] large = new byte[3 * 8192 + 17];
        large[0] = 0x30;
        Arrays.fill(large, 1, large.length, (byte) 'y');

        client.write(PUBLISH_A);
        client.flush();
        for (int off = 0; off < large.length; off += 1024) {
            client.write(large, off, Math.min(1024, large.length - off));
        }
        client.flush();
        client.write(PUBLISH_B);
        client.flush();

        assertThat(socket.bytes()).isEqualTo(concat(PUBLISH_A, large, PUBLISH_B));
    }

    private void packet(byte[] packet) throws Exception {
        packet(output, packet);
    }

    private static void packet(BufferedSocketFactory.Output to, byte[] packet) throws Exception {
        to.write(packet, 0, packet.length);
        to.flush();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return all.toByteArray();
    }

    /** Stands for the socket's own stream: each write a system call. */
    private static final class RecordingSocketOutput extends OutputStream {
        final List<byte[]> writes = new ArrayList<>();
        int flushes;

        @Override
        public void write(int b) {
            writes.add(new byte[] { (byte) b });
        }

        @Override
        public void write(byte[] b, int off, int len) {
            writes.add(Arrays.copyOfRange(b, off, off + len));
        }

        @Override
        public void flush() {
            flushes++;
        }

        byte[] bytes() {
            return concat(writes.toArray(new byte[0][]));
        }
    }
}
