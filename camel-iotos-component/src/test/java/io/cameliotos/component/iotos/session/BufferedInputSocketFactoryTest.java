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
import javax.net.ssl.SSLSocketFactory;

import io.cameliotos.component.iotos.protocol.OfflineBufferPolicy;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BufferedInputSocketFactoryTest {

    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @Test
    void plainTcpSessionsReadThroughTheBufferAndOthersKeepTheirFactory() {
        SSLSocketFactory tls = (SSLSocketFactory) SSLSocketFactory.getDefault();

        assertThat(IotosSession.connectOptions(settings("tcp://localhost:1883", null)).getSocketFactory())
                .isSameAs(BufferedInputSocketFactory.INSTANCE);
        assertThat(IotosSession.connectOptions(settings("TCP://localhost:1883", null)).getSocketFactory())
                .isSameAs(BufferedInputSocketFactory.INSTANCE);
        assertThat(IotosSession.connectOptions(settings("ssl://localhost:8883", null)).getSocketFactory()).isNull();
        assertThat(IotosSession.connectOptions(settings("ssl://localhost:8883", tls)).getSocketFactory()).isSameAs(tls);
    }

    @Test
    void everyWayOfCreatingASocketConnectsOneWithOneBufferedStream() throws Exception {
        SocketFactory factory = BufferedInputSocketFactory.INSTANCE;
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
                    InputStream input = socket.getInputStream();
                    assertThat(input).isInstanceOf(BufferedInputStream.class).isSameAs(socket.getInputStream());
                    peer.getOutputStream().write(new byte[] { 0x40, 0x02, 0x00, 0x07 });
                    assertThat(input.readNBytes(4)).containsExactly(0x40, 0x02, 0x00, 0x07);
                    socket.close();
                    assertThatThrownBy(socket::getInputStream).isInstanceOf(SocketException.class);
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
             Socket socket = BufferedInputSocketFactory.INSTANCE.createSocket(LOOPBACK, server.getLocalPort());
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

    private static SessionSettings settings(String brokerUrl, SocketFactory socketFactory) {
        return new SessionSettings(brokerUrl, "buffered-input", null, null, true, 60, 5, 10, 100,
                OfflineBufferPolicy.FAIL, 100, 1000, socketFactory, null);
    }
}
