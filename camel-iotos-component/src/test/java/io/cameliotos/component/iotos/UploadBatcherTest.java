package io.cameliotos.component.iotos;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
}
