package io.cameliotos.component.iotos.session;

import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

import io.cameliotos.component.iotos.test.TestCertificates;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.cameliotos.component.iotos.session.BufferedSocketFactoryTest.factoryOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** TLS connections against a TLS server in this JVM, with a certificate authority made for the test. */
class CoalescingSslSocketFactoryTest {

    private static final byte[] PINGREQ = { (byte) 0xC0, 0x00 };
    private static final byte[] PINGRESP = { (byte) 0xD0, 0x00 };

    @TempDir
    static Path dir;
    private static InetAddress localhost;
    private static TestCertificates authority;
    private static SSLContext server;
    private static SSLContext client;

    @BeforeAll
    static void certificates() throws Exception {
        localhost = InetAddress.getByName("localhost");
        authority = TestCertificates.newAuthority(dir, "coalescing");
        server = authority.serverContext("localhost");
        client = authority.clientContext();
    }

    @Test
    void tlsSessionsCollectTheirOutputAndPlainFactoriesAreLeftAlone() {
        SSLSocketFactory given = client.getSocketFactory();
        assertThat(factoryOf("ssl://localhost:8883", null, false)).isInstanceOfSatisfying(
                CoalescingSslSocketFactory.class, f -> assertThat(f.tcpNoDelay()).isFalse());
        assertThat(factoryOf("SSL://localhost:8883", given, true)).isInstanceOfSatisfying(
                CoalescingSslSocketFactory.class, f -> assertThat(f.tcpNoDelay()).isTrue());
        SocketFactory plain = SocketFactory.getDefault();
        assertThat(factoryOf("ssl://localhost:8883", plain, false)).isSameAs(plain);
        assertThat(factoryOf("tcp://localhost:1883", given, false)).isSameAs(given);
    }

    @ParameterizedTest
    @ValueSource(booleans = { false, true })
    void everyWayOfCreatingASocketShakesHandsWithTheGivenTrustAndCollectsItsOutput(boolean tcpNoDelay)
            throws Exception {
        SSLSocketFactory factory = new CoalescingSslSocketFactory(client.getSocketFactory(), tcpNoDelay,
                new SendBacklog(1000));
        try (SSLServerSocket listener = listen(server)) {
            int port = listener.getLocalPort();
            List<SocketSource> sources = List.of(
                    () -> {
                        Socket unconnected = factory.createSocket();
                        unconnected.connect(new InetSocketAddress(localhost, port), 5000);
                        return unconnected;
                    },
                    () -> factory.createSocket("localhost", port),
                    () -> factory.createSocket("localhost", port, localhost, 0),
                    () -> factory.createSocket(localhost, port),
                    () -> factory.createSocket(localhost, port, localhost, 0),
                    () -> layer(factory, new Socket(localhost, port), "localhost", port));
            for (SocketSource source : sources) {
                CompletableFuture<SSLSocket> accepted = accept(listener);
                try (SSLSocket socket = (SSLSocket) source.open(); SSLSocket peer = shakeHands(socket, accepted)) {
                    assertThat(socket.getSession().getProtocol()).startsWith("TLS");
                    assertThat(socket.isConnected()).isTrue();
                    assertThat(socket.getTcpNoDelay()).isEqualTo(tcpNoDelay);
                    assertThat(socket.getSoLinger()).isEqualTo(CoalescingSslSocketFactory.CLOSE_LINGER_SECONDS);
                    OutputStream output = socket.getOutputStream();
                    assertThat(output).isInstanceOf(BufferedSocketFactory.Output.class)
                            .isSameAs(socket.getOutputStream());
                    output.write(PINGREQ);
                    output.flush();
                    assertThat(peer.getInputStream().readNBytes(2)).isEqualTo(PINGREQ);
                    peer.getOutputStream().write(PINGRESP);
                    peer.getOutputStream().flush();
                    assertThat(socket.getInputStream().readNBytes(2)).isEqualTo(PINGRESP);
                    closeFirst(socket);
                    assertThat(socket.isClosed()).isTrue();
                    assertThatThrownBy(socket::getOutputStream).isInstanceOf(SocketException.class);
                }
            }
        }
    }

    /** What the MQTT client does before its handshake: names the server and asks for the host to be verified. */
    @Test
    void theHostNameTheClientAsksToVerifyIsVerified() throws Exception {
        SSLSocketFactory factory = new CoalescingSslSocketFactory(client.getSocketFactory(), false,
                new SendBacklog(1000));
        try (SSLServerSocket right = listen(server);
             SSLServerSocket wrong = listen(authority.serverContext("other.example"))) {
            CompletableFuture<SSLSocket> accepted = accept(right);
            try (SSLSocket socket = verifyingHost(factory, right.getLocalPort());
                 SSLSocket peer = shakeHands(socket, accepted)) {
                assertThat(socket.getSession().getPeerHost()).isEqualTo("localhost");
                assertThat(peer.getSession().getProtocol()).isEqualTo(socket.getSession().getProtocol());
                closeFirst(socket);
            }

            CompletableFuture<SSLSocket> refused = accept(wrong);
            try (SSLSocket socket = verifyingHost(factory, wrong.getLocalPort())) {
                assertThatThrownBy(socket::startHandshake).isInstanceOf(SSLHandshakeException.class)
                        .hasMessageContaining("localhost");
            }
            refused.handle((peer, e) -> closeQuietly(peer)).get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aBurstOfPublishesIsEncryptedAndWrittenAsOneRecord() throws Exception {
        AtomicInteger writes = new AtomicInteger();
        SendBacklog backlog = new SendBacklog(1000);
        SSLSocketFactory factory = new CoalescingSslSocketFactory(countingWrites(writes), false, backlog);
        try (SSLServerSocket listener = listen(server)) {
            CompletableFuture<SSLSocket> accepted = accept(listener);
            try (SSLSocket socket = (SSLSocket) factory.createSocket("localhost", listener.getLocalPort());
                 SSLSocket peer = shakeHands(socket, accepted)) {
                writes.set(0);
                OutputStream output = socket.getOutputStream();
                for (int id = 1; id <= 3; id++) {
                    backlog.accepted();
                }
                ByteArrayOutputStream sent = new ByteArrayOutputStream();
                for (int id = 1; id <= 3; id++) {
                    output.write(publish(id));
                    output.flush();
                    sent.write(publish(id));
                }

                assertThat(peer.getInputStream().readNBytes(sent.size())).isEqualTo(sent.toByteArray());
                assertThat(writes).hasValue(1);
                closeFirst(socket);
            }
        }
    }

    /**
     * The client gives up a connection whose writes have stalled by closing its socket from another thread, while its
     * sender is still blocked in a write. A TLS socket's close waits for the writer's lock to send its close_notify: it
     * must not wait for ever.
     */
    @Test
    void closingEndsAConnectionWhoseSenderIsBlockedByAPeerThatStoppedReading() throws Exception {
        SSLSocketFactory factory = new CoalescingSslSocketFactory(client.getSocketFactory(), false,
                new SendBacklog(1000));
        try (SSLServerSocket listener = listen(server)) {
            CompletableFuture<SSLSocket> accepted = accept(listener);
            try (SSLSocket socket = (SSLSocket) factory.createSocket("localhost", listener.getLocalPort());
                 SSLSocket peer = shakeHands(socket, accepted)) {
                OutputStream output = socket.getOutputStream();
                AtomicLong written = new AtomicLong();
                CompletableFuture<Throwable> sender = CompletableFuture.supplyAsync(() -> {
                    byte[] chunk = new byte[16 * 1024];
                    chunk[0] = (byte) 0xC0;
                    try {
                        while (true) {
                            output.write(chunk);
                            output.flush();
                            written.addAndGet(chunk.length);
                        }
                    } catch (IOException e) {
                        return e;
                    }
                }, runnable -> new Thread(runnable, "blocked-sender").start());
                // the peer reads nothing: once both sides' buffers are full, the sender's write blocks
                long[] seen = { -1 };
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> {
                    long now = written.get();
                    boolean stalled = now > 0 && now == seen[0];
                    seen[0] = now;
                    return stalled;
                });

                CompletableFuture<Void> closed = CompletableFuture.runAsync(() -> {
                    try {
                        socket.close();
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }, runnable -> new Thread(runnable, "closer").start());

                closed.get(10, TimeUnit.SECONDS);
                assertThat(sender.get(10, TimeUnit.SECONDS)).isInstanceOf(IOException.class);
            }
        }
    }

    /** A QoS 1 PUBLISH of one byte to topic {@code t}. */
    private static byte[] publish(int packetId) {
        return new byte[] { 0x32, 0x06, 0x00, 0x01, 't', 0x00, (byte) packetId, 'x' };
    }

    private static SSLSocket verifyingHost(SSLSocketFactory factory, int port) throws IOException {
        SSLSocket socket = (SSLSocket) factory.createSocket();
        socket.connect(new InetSocketAddress("localhost", port), 5000);
        socket.setSoTimeout(5000);
        SSLParameters parameters = new SSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        socket.setSSLParameters(parameters);
        return socket;
    }

    /** TLS over a connected plain socket, which is closed if the layering fails. */
    private static Socket layer(SSLSocketFactory tls, Socket plain, String host, int port) throws IOException {
        try {
            return tls.createSocket(plain, host, port, true);
        } catch (IOException | RuntimeException e) {
            plain.close();
            throw e;
        }
    }

    /** TLS layered over a plain socket that counts the writes reaching it: one per record sent. */
    private static SSLSocketFactory countingWrites(AtomicInteger writes) {
        return new SSLSocketFactory() {
            @Override
            public Socket createSocket(String host, int port) throws IOException {
                Socket plain = new Socket(host, port) {
                    private OutputStream counted;

                    @Override
                    public synchronized OutputStream getOutputStream() throws IOException {
                        if (counted == null) {
                            counted = new FilterOutputStream(super.getOutputStream()) {
                                @Override
                                public void write(int b) throws IOException {
                                    writes.incrementAndGet();
                                    out.write(b);
                                }

                                @Override
                                public void write(byte[] b, int off, int len) throws IOException {
                                    writes.incrementAndGet();
                                    out.write(b, off, len);
                                }
                            };
                        }
                        return counted;
                    }
                };
                return layer(client.getSocketFactory(), plain, host, port);
            }

            @Override
            public Socket createSocket(Socket socket, String host, int port, boolean autoClose) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Socket createSocket(InetAddress host, int port) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) {
                throw new UnsupportedOperationException();
            }

            @Override
            public String[] getDefaultCipherSuites() {
                return client.getSocketFactory().getDefaultCipherSuites();
            }

            @Override
            public String[] getSupportedCipherSuites() {
                return client.getSocketFactory().getSupportedCipherSuites();
            }
        };
    }

    private static SSLServerSocket listen(SSLContext context) throws IOException {
        SSLServerSocket listener = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 50, localhost);
        listener.setSoTimeout(10_000);
        return listener;
    }

    /**
     * Closing a TLS socket waits, up to its read time-out, for the peer to answer its close_notify; the peers here only
     * close after it.
     */
    private static void closeFirst(SSLSocket socket) throws IOException {
        socket.setSoTimeout(50);
        socket.close();
    }

    /** Shakes hands on the client's side while the server's does; returns the server's side. */
    private static SSLSocket shakeHands(SSLSocket socket, CompletableFuture<SSLSocket> accepted) throws Exception {
        socket.setSoTimeout(5000);
        socket.startHandshake();
        return accepted.get(10, TimeUnit.SECONDS);
    }

    /** The server's side of the next connection, its handshake done: the client must shake hands meanwhile. */
    private static CompletableFuture<SSLSocket> accept(SSLServerSocket listener) {
        return CompletableFuture.supplyAsync(() -> {
            SSLSocket peer = null;
            try {
                peer = (SSLSocket) listener.accept();
                peer.setSoTimeout(5000);
                peer.startHandshake();
                return peer;
            } catch (IOException e) {
                closeQuietly(peer);
                throw new UncheckedIOException(e);
            }
        });
    }

    private static Void closeQuietly(Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // the connection failed already; nothing to keep
            }
        }
        return null;
    }

    @FunctionalInterface
    private interface SocketSource {
        Socket open() throws Exception;
    }
}
