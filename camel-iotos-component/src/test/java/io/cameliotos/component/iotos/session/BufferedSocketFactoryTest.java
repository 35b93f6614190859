package io.cameliotos.component.iotos.session;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.List;

import javax.net.SocketFactory;

import io.cameliotos.component.iotos.protocol.OfflineBufferPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BufferedSocketFactoryTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void plainTcpSessionsReadThroughTheBuffer() {
        assertThat(factoryOf("tcp://localhost:1883", null, false)).isInstanceOfSatisfying(BufferedSocketFactory.class,
                f -> assertThat(f.tcpNoDelay()).isFalse());
        assertThat(factoryOf("TCP://localhost:1883", null, false)).isInstanceOf(BufferedSocketFactory.class);
        assertThat(factoryOf("tcp://localhost:1883", null, true)).isInstanceOfSatisfying(BufferedSocketFactory.class,
                f -> assertThat(f.tcpNoDelay()).isTrue());
    }

    @ParameterizedTest
    @ValueSource(booleans = { false, true })
    void everyWayOfCreatingASocketConnectsOneWithOneBufferedStreamEachWay(boolean tcpNoDelay) throws Exception {
        SocketFactory factory = new BufferedSocketFactory(tcpNoDelay, new SendBacklog(1000));
        try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK)) {
            server.setSoTimeout(5000);
            int port = server.getLocalPort();
            List<SocketSource> sources = List.of(
                    () -> {
                        Socket unconnected = factory.createSocket();
                        unconnected.connect(server.getLocalSocketAddress(), 5000);
                        return unconnected;
                    },
                    () -> factory.createSocket(LOOPBACK.getHostAddress(), port),
                    () -> factory.createSocket(LOOPBACK.getHostAddress(), port, LOOPBACK, 0),
                    () -> factory.createSocket(LOOPBACK, port),
                    () -> factory.createSocket(LOOPBACK, port, LOOPBACK, 0));
            for (SocketSource source : sources) {
                try (Socket socket = source.open(); Socket peer = server.accept()) {
                    socket.setSoTimeout(5000);
                    assertThat(socket.isConnected()).isTrue();
                    assertThat(socket.getTcpNoDelay()).isEqualTo(tcpNoDelay);
                    InputStream input = socket.getInputStream();
                    assertThat(input).isInstanceOf(BufferedInputStream.class).isSameAs(socket.getInputStream());
                    peer.getOutputStream().write(new byte[] { 0x40, 0x02, 0x00, 0x07 });
                    assertThat(input.readNBytes(4)).containsExactly(0x40, 0x02, 0x00, 0x07);
                    OutputStream output = socket.getOutputStream();
                    assertThat(output).isInstanceOf(BufferedSocketFactory.Output.class)
                            .isSameAs(socket.getOutputStream());
                    output.write(new byte[] { (byte) 0xC0, 0x00 });
                    output.flush();
                    assertThat(peer.getInputStream().readNBytes(2)).containsExactly(0xC0, 0x00);
                    socket.close();
                    assertThatThrownBy(socket::getInputStream).isInstanceOf(SocketException.class);
                    assertThatThrownBy(socket::getOutputStream).isInstanceOf(SocketException.class);
                }
            }
        }
    }

    @FunctionalInterface
    private interface SocketSource {
        Socket open() throws Exception;
    }

    /** The MQTT client polls its input with a socket timeout; a poll that times out must not cost a byte. */
    @Test
    void aReadThatTimesOutLosesNothingBufferedOrStillToCome() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
             Socket socket = new BufferedSocketFactory(false, new SendBacklog(1000))
                     .createSocket(LOOPBACK, server.getLocalPort());
             Socket peer = server.accept()) {
            socket.setSoTimeout(200);
            InputStream input = socket.getInputStream();
            OutputStream output = peer.getOutputStream();
            // two acknowledgements and the first byte of a third arrive together
            output.write(new byte[] { 0x40, 0x02, 0x00, 0x01, 0x40, 0x02, 0x00, 0x02, 0x40 });
            output.flush();

            assertThat(input.read()).isEqualTo(0x40);
            assertThat(input.available()).isEqualTo(8);
            assertThat(input.readNBytes(7)).containsExactly(0x02, 0x00, 0x01, 0x40, 0x02, 0x00, 0x02);
            assertThat(input.available()).isEqualTo(1);
            assertThat(input.read()).isEqualTo(0x40);
            assertThat(input.available()).isZero();
            assertThatThrownBy(input::read).isInstanceOf(SocketTimeoutException.class);

            output.write(new byte[] { 0x02, 0x00, 0x03 });
            output.flush();
            assertThat(input.readNBytes(3)).containsExactly(0x02, 0x00, 0x03);
        }
    }

    static SocketFactory factoryOf(String brokerUrl, SocketFactory socketFactory, boolean tcpNoDelay) {
        return IotosSession.connectOptions(new SessionSettings(brokerUrl, "buffered-input", null, null, true, 60, 5, 10,
                100, OfflineBufferPolicy.FAIL, 100, 1000, tcpNoDelay, socketFactory, null, 60_000), new SendBacklog(10))
                .getSocketFactory();
    }
}
