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

    private final SendBacklog backlog = new SendBacklog();
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

    @Test
    void closingWritesOutWhatIsHeld() throws Exception {
        backlog.accepted();
        backlog.accepted();
        packet(PUBLISH_A);

        output.close();

        assertThat(socket.writes).containsExactly(PUBLISH_A);
        assertThat(socket.closed).isTrue();
    }

    private void packet(byte[] packet) throws Exception {
        output.write(packet, 0, packet.length);
        output.flush();
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
        boolean closed;

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

        @Override
        public void close() {
            closed = true;
        }

        byte[] bytes() {
            return concat(writes.toArray(new byte[0][]));
        }
    }
}
