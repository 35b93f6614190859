package io.cameliotos.component.iotos;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicIntegerArray;

import io.cameliotos.component.iotos.protocol.IotosCodec;
import io.cameliotos.component.iotos.protocol.PointResult;
import io.cameliotos.component.iotos.protocol.PointValue;
import io.cameliotos.component.iotos.protocol.Timestamps;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.support.DefaultExchange;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UploadBatcherTest {

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final CamelContext context = new DefaultCamelContext();

    @AfterEach
    void stop() throws Exception {
        scheduler.shutdownNow();
        context.close();
    }

    @Test
    void anExchangeThatFailsToCompleteDoesNotStrandTheOthersOfItsUpload() {
        List<Exchange> exchanges = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            exchanges.add(new DefaultExchange(context));
        }
        List<byte[]> sent = new ArrayList<>();
        UploadBatcher batcher = new UploadBatcher(new UploadBatcher.Sender() {
            @Override
            public void send(byte[] payload, String requestId, List<Long> awaitedPoints,
                    IotosProducerSupport.SendCallback done) {
                sent.add(payload);
                done.accept(null, null);
            }

            @Override
            public void complete(Exchange exchange, String requestId, Instant requestTime, List<PointResult> results,
                    Throwable error) {
                if (exchange == exchanges.get(0)) {
                    throw new IllegalStateException("headers refused");
                }
            }
        }, new IotosCodec(), 3, 60_000, false, scheduler);

        AtomicIntegerArray done = new AtomicIntegerArray(3);
        for (int i = 0; i < 3; i++) {
            int n = i;
            batcher.add(exchanges.get(i), doneSync -> done.incrementAndGet(n),
                    List.of(new PointValue(null, 1963 + i, null, null, 21.5, Timestamps.nowSeconds())));
        }

        assertThat(sent).hasSize(1);
        for (int i = 0; i < 3; i++) {
            assertThat(done.get(i)).as("completions of exchange %d", i).isEqualTo(1);
        }
        assertThat(exchanges.get(0).getException()).isInstanceOf(IllegalStateException.class)
                .hasMessage("headers refused");
        assertThat(exchanges.get(1).getException()).isNull();
        assertThat(exchanges.get(2).getException()).isNull();
    }

    @Test
    void aContinuationThatThrowsDoesNotStrandTheOthersOfItsUpload() {
        List<Exchange> exchanges = exchanges(3);
        UploadBatcher batcher = new UploadBatcher(new RecordingSender(0), new IotosCodec(), 3, 60_000, false, scheduler);

        AtomicIntegerArray done = new AtomicIntegerArray(3);
        for (int i = 0; i < 3; i++) {
            int n = i;
            batcher.add(exchanges.get(i), doneSync -> {
                done.incrementAndGet(n);
                if (n == 0) {
                    throw new IllegalStateException("the route after the producer failed");
                }
            }, List.of(point(i)));
        }

        for (int i = 0; i < 3; i++) {
            assertThat(done.get(i)).as("completions of exchange %d", i).isEqualTo(1);
        }
    }

    @Test
    void anUploadTheSenderRefusesEndsEachOfItsExchangesOnceAndTheNextUploadGoesOut() {
        List<Exchange> exchanges = exchanges(6);
        RecordingSender sender = new RecordingSender(1);
        UploadBatcher batcher = new UploadBatcher(sender, new IotosCodec(), 3, 60_000, false, scheduler);

        AtomicIntegerArray done = new AtomicIntegerArray(6);
        List<Integer> endedUnderTheLock = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int n = i;
            batcher.add(exchanges.get(i), doneSync -> {
                done.incrementAndGet(n);
                // the rest of the route runs here: under the lock it would hold up every other upload (this sender
                // ends the sent ones at once, under it; the session ends them later, on its callback executor)
                if (Thread.holdsLock(batcher)) {
                    endedUnderTheLock.add(n);
                }
            }, List.of(point(i % 3)));
        }

        assertThat(endedUnderTheLock).as("refused exchanges ended under the lock").doesNotContain(0, 1, 2);
        assertThat(sender.sent).hasSize(1);
        for (int i = 0; i < 6; i++) {
            assertThat(done.get(i)).as("completions of exchange %d", i).isEqualTo(1);
        }
        for (int i = 0; i < 3; i++) {
            assertThat(sender.errors.get(exchanges.get(i))).as("exchange %d", i).hasMessage("refused");
        }
        for (int i = 3; i < 6; i++) {
            assertThat(sender.errors).as("exchange %d", i).doesNotContainKey(exchanges.get(i));
        }
    }

    @Test
    void pointsThatWouldShareAKeyGoInSeparateUploads() throws Exception {
        // two points with one oid, a key given twice, and oids that read as the ID of a point keyed by its ID
        List<PointValue> points = List.of(
                new PointValue(null, 1, "valve", null, 1, Timestamps.nowSeconds()),
                new PointValue(null, 2, "valve", null, 2, Timestamps.nowSeconds()),
                new PointValue("k", 3, null, null, 3, Timestamps.nowSeconds()),
                new PointValue("k", 4, null, null, 4, Timestamps.nowSeconds()),
                new PointValue(null, 5, null, null, 5, Timestamps.nowSeconds()),
                new PointValue(null, 6, "5", null, 6, Timestamps.nowSeconds()),
                new PointValue(null, 7, null, null, 7, Timestamps.nowSeconds()),
                new PointValue(null, 8, "8", null, 8, Timestamps.nowSeconds()),
                new PointValue(null, Long.MAX_VALUE, null, null, 9, Timestamps.nowSeconds()),
                new PointValue(null, 9, Long.toString(Long.MAX_VALUE), null, 10, Timestamps.nowSeconds()));
        RecordingSender sender = new RecordingSender(0);
        UploadBatcher batcher = new UploadBatcher(sender, new IotosCodec(), 100, 60_000, false, scheduler);

        List<Exchange> exchanges = exchanges(points.size());
        for (int i = 0; i < points.size(); i++) {
            batcher.add(exchanges.get(i), doneSync -> { }, List.of(points.get(i)));
        }
        batcher.flush();

        List<List<String>> keysPerUpload = new ArrayList<>();
        for (byte[] payload : sender.sent) {
            List<String> keys = new ArrayList<>();
            new com.fasterxml.jackson.databind.ObjectMapper().readTree(payload).get("data").fieldNames()
                    .forEachRemaining(keys::add);
            keysPerUpload.add(keys);
        }
        // a point keyed by its own ID as its oid ("8") shares nothing with another point: it stays; the longest IDs
        // are IDs too
        String max = Long.toString(Long.MAX_VALUE);
        assertThat(keysPerUpload).containsExactly(List.of("valve"), List.of("valve", "k"), List.of("k", "5"),
                List.of("5", "7", "8", max), List.of(max));
    }

    private List<Exchange> exchanges(int count) {
        List<Exchange> exchanges = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            exchanges.add(new DefaultExchange(context));
        }
        return exchanges;
    }

    private static PointValue point(int n) {
        return new PointValue(null, 1963 + n, null, null, 21.5, Timestamps.nowSeconds());
    }

    /** Refuses the first {@code refusals} uploads by throwing, and sends the others at once. */
    private static final class RecordingSender implements UploadBatcher.Sender {

        final List<byte[]> sent = new ArrayList<>();
        final Map<Exchange, Throwable> errors = new HashMap<>();
        private int refusals;

        RecordingSender(int refusals) {
            this.refusals = refusals;
        }

        @Override
        public void send(byte[] payload, String requestId, List<Long> awaitedPoints,
                IotosProducerSupport.SendCallback done) {
            if (refusals > 0) {
                refusals--;
                throw new IllegalStateException("refused");
            }
            sent.add(payload);
            done.accept(null, null);
        }

        @Override
        public void complete(Exchange exchange, String requestId, Instant requestTime, List<PointResult> results,
                Throwable error) {
            if (error != null) {
                errors.put(exchange, error);
            }
        }
    }
}
