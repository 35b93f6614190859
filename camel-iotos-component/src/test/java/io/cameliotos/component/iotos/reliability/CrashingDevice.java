package io.cameliotos.component.iotos.reliability;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.stream.Stream;

import io.cameliotos.component.iotos.IotosComponent;
import io.cameliotos.component.iotos.IotosConfiguration;
import io.cameliotos.component.iotos.IotosConstants;
import io.cameliotos.component.iotos.IotosEndpoint;
import io.cameliotos.component.iotos.IotosPersistence;
import io.cameliotos.component.iotos.protocol.Ids;
import io.cameliotos.component.iotos.test.TestBroker;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.impl.DefaultCamelContext;

/**
 * A device in a JVM of its own, for crash tests: the test kills it with SIGKILL and starts it again on the same
 * persistence directory. It reports on stdout, one line per event.
 * <ul>
 * <li>{@code buffer URL DIR N}: uploads N readings while the broker is unreachable, prints {@code BUFFERED N} once all
 * are accepted, and waits to be killed;</li>
 * <li>{@code stream URL DIR N}: uploads continuously, N at a time in flight, printing {@code SENT id} and
 * {@code COMPLETED id}, until killed;</li>
 * <li>{@code recover URL DIR}: starts, sends what the store holds, prints {@code DRAINED} when it is empty, and
 * exits.</li>
 * </ul>
 */
public final class CrashingDevice {

    private CrashingDevice() {
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path store = Path.of(args[2]);
        CamelContext context = new DefaultCamelContext();
        IotosComponent iotos = context.getComponent("iotos", IotosComponent.class);
        IotosConfiguration config = iotos.getConfiguration();
        config.setBrokerUrl(args[1]);
        config.setUsername(TestBroker.USERNAME);
        config.setPassword(TestBroker.PASSWORD);
        config.setPersistence(IotosPersistence.FILE);
        config.setFilePersistenceDirectory(store.toString());
        config.setConnectionTimeout(2);
        config.setReconnectDelay(100);
        config.setMaxReconnectDelay(500);
        context.addRoutes(new RouteBuilder() {
            @Override
            public void configure() {
                from("direct:upload").to("iotos:171/401/1963");
            }
        });
        context.start();
        ProducerTemplate template = context.createProducerTemplate();
        // the endpoint's management view of its session, as an operator would read it
        IotosEndpoint endpoint = context.getEndpoint("iotos:171/401/1963", IotosEndpoint.class);
        PrintStream out = System.out;
        switch (mode) {
            case "buffer" -> {
                int count = Integer.parseInt(args[3]);
                for (int i = 0; i < count; i++) {
                    send(template, out, i);
                }
                while (endpoint.getBufferedCount() < count) {
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
                }
                out.println("BUFFERED " + count);
                new CountDownLatch(1).await();
            }
            case "stream" -> {
                Semaphore window = new Semaphore(Integer.parseInt(args[3]));
                for (int i = 0;; i++) {
                    window.acquire();
                    send(template, out, i).whenComplete((e, error) -> window.release());
                }
            }
            case "recover" -> {
                Path dir = store.resolve("device_171_401");
                while (endpoint.getBufferedCount() > 0 || countFiles(dir) > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
                }
                out.println("DRAINED");
                context.close();
                System.exit(0);
            }
            default -> throw new IllegalArgumentException("unknown mode " + mode);
        }
    }

    private static java.util.concurrent.CompletableFuture<org.apache.camel.Exchange> send(ProducerTemplate template,
            PrintStream out, int n) {
        String id = Ids.newRequestId();
        out.println("SENT " + id);
        return template.asyncSend("direct:upload", e -> {
            e.getMessage().setHeader(IotosConstants.REQUEST_ID, id);
            e.getMessage().setBody(n);
        }).whenComplete((e, error) -> {
            if (error == null && e.getException() == null) {
                out.println("COMPLETED " + id);
            }
        });
    }

    private static long countFiles(Path dir) throws java.io.IOException {
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".msg")).count();
        }
    }
}
