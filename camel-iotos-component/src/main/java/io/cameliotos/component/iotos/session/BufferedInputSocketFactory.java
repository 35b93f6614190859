package io.cameliotos.component.iotos.session;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;

import javax.net.SocketFactory;

/**
 * Plain TCP sockets whose input is buffered, for {@code tcp://} brokers. The MQTT client reads each packet's fixed
 * header a byte at a time from the socket's stream and asks how much is available before each packet, so unbuffered
 * every acknowledgement cost four system calls; through a buffer one read takes in as many packets as have arrived.
 * (TLS sockets buffer their decrypted input already.) With {@code tcpNoDelay} the sockets send every packet at once.
 */
final class BufferedInputSocketFactory extends SocketFactory {

    private static final BufferedInputSocketFactory NAGLE = new BufferedInputSocketFactory(false);
    private static final BufferedInputSocketFactory NO_DELAY = new BufferedInputSocketFactory(true);
    /** A burst of 512 acknowledgements, or a few typical controls, per read; larger reads go around it. */
    static final int BUFFER_SIZE = 2048;

    private final boolean tcpNoDelay;

    private BufferedInputSocketFactory(boolean tcpNoDelay) {
        this.tcpNoDelay = tcpNoDelay;
    }

    /** @param tcpNoDelay whether the sockets send every packet at once (TCP_NODELAY) */
    static BufferedInputSocketFactory of(boolean tcpNoDelay) {
        return tcpNoDelay ? NO_DELAY : NAGLE;
    }

    @Override
    public Socket createSocket() throws SocketException {
        Socket socket = new BufferedInputSocket();
        if (tcpNoDelay) {
            socket.setTcpNoDelay(true);
        }
        return socket;
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(null, new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(localHost, localPort), new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(null, new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return connected(new InetSocketAddress(localAddress, localPort), new InetSocketAddress(address, port));
    }

    private Socket connected(InetSocketAddress local, InetSocketAddress remote) throws IOException {
        Socket socket = createSocket();
        try {
            if (local != null) {
                socket.bind(local);
            }
            socket.connect(remote);
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * Hands out one buffered stream for its life. A read that times out (the client polls with a socket timeout)
     * leaves the buffer as it was, so no byte is lost between polls.
     */
    private static final class BufferedInputSocket extends Socket {

        private InputStream input;

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (isClosed() || isInputShutdown()) {
                // as the plain socket does
                throw new SocketException("Socket input is closed");
            }
            if (input == null) {
                input = new Input(super.getInputStream());
            }
            return input;
        }
    }

    /**
     * The client asks {@code available()} before every packet. Answered from the buffer while it holds bytes, that
     * costs no system call; only an empty buffer asks the socket.
     */
    private static final class Input extends BufferedInputStream {

        Input(InputStream socketInput) {
            super(socketInput, BUFFER_SIZE);
        }

        @Override
        public synchronized int available() throws IOException {
            int buffered = count - pos;
            return buffered > 0 ? buffered : super.available();
        }
    }
}
