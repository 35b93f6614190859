package io.cameliotos.component.iotos.session;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;

import javax.net.SocketFactory;

/**
 * Plain TCP sockets of one session, buffered both ways, for {@code tcp://} brokers. (TLS sockets buffer their
 * decrypted input already; {@link CoalescingSslSocketFactory} collects their output through {@link Output}.)
 * <ul>
 * <li>Input: the MQTT client reads each packet's fixed header a byte at a time from the socket's stream and asks how
 * much is available before each packet, so unbuffered every acknowledgement cost four system calls; through a buffer
 * one read takes in as many packets as have arrived.</li>
 * <li>Output: the client's sender flushes after every packet, a system call each. A publish or acknowledgement is held
 * back while the session's {@link SendBacklog} says another publish is queued behind it, and goes out with that one:
 * under load one write carries many packets, and the last packet of a burst leaves at once. Fewer publishes than the
 * in-flight window are ever held, so at least one of the window is always on its way and its acknowledgement frees
 * the client's sender, whatever the count says.</li>
 * </ul>
 * With {@code tcpNoDelay} the operating system sends every write at once instead of holding small ones back for the
 * broker's acknowledgement.
 */
final class BufferedSocketFactory extends SocketFactory {

    /** A burst of 512 acknowledgements, or a few typical controls, per read; larger reads go around it. */
    static final int INPUT_BUFFER_SIZE = 2048;
    /** About forty single-point uploads per write; a larger packet goes out on its own. */
    static final int OUTPUT_BUFFER_SIZE = 8192;

    private final boolean tcpNoDelay;
    private final SendBacklog backlog;

    /**
     * @param tcpNoDelay whether the sockets send every write at once (TCP_NODELAY)
     * @param backlog    the session's count of queued publishes
     */
    BufferedSocketFactory(boolean tcpNoDelay, SendBacklog backlog) {
        this.tcpNoDelay = tcpNoDelay;
        this.backlog = backlog;
    }

    boolean tcpNoDelay() {
        return tcpNoDelay;
    }

    /** The one the MQTT client uses, for each connection: it connects the socket itself. */
    @Override
    public Socket createSocket() throws SocketException {
        backlog.reset();
        Socket socket = new BufferedSocket(backlog);
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
     * Hands out one buffered stream each way for its life. A read that times out (the client polls with a socket
     * timeout) leaves the input buffer as it was, so no byte is lost between polls. Closing writes nothing out: a
     * disconnect has already written through what was held, and any other close ends the connection with what it had
     * queued (a write there could block on a stalled connection that only the close can end).
     */
    private static final class BufferedSocket extends Socket {

        private final SendBacklog backlog;
        private Input input;
        private Output output;

        BufferedSocket(SendBacklog backlog) {
            this.backlog = backlog;
        }

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

        @Override
        public synchronized OutputStream getOutputStream() throws IOException {
            if (isClosed() || isOutputShutdown()) {
                throw new SocketException("Socket output is closed");
            }
            if (output == null) {
                output = new Output(super.getOutputStream(), backlog);
            }
            return output;
        }
    }

    /**
     * The client asks {@code available()} before every packet. Answered from the buffer while it holds bytes, that
     * costs no system call; only an empty buffer asks the socket.
     */
    private static final class Input extends BufferedInputStream {

        Input(InputStream socketInput) {
            super(socketInput, INPUT_BUFFER_SIZE);
        }

        @Override
        public synchronized int available() throws IOException {
            int buffered = count - pos;
            return buffered > 0 ? buffered : super.available();
        }
    }

    /**
     * Collects the client's packets; each ends with a flush. Only publishes and acknowledgements are held back, so a
     * connect, subscribe, ping or disconnect always leaves at once, with whatever was held before it. Only the client's
     * sender writes.
     */
    static final class Output extends OutputStream {

        private static final int NO_PACKET = -1;
        private static final int PUBLISH = 3;
        private static final int PUBACK = 4;

        private final OutputStream socket;
        private final SendBacklog backlog;
        private final byte[] buffer = new byte[OUTPUT_BUFFER_SIZE];
        private int count;
        private int heldPublishes;
        /** The MQTT packet type of the packet being written, from its first byte. */
        private int packetType = NO_PACKET;

        Output(OutputStream socket, SendBacklog backlog) {
            this.socket = socket;
            this.backlog = backlog;
        }

        @Override
        public synchronized void write(int b) throws IOException {
            if (packetType == NO_PACKET) {
                packetType = (b & 0xF0) >> 4;
            }
            if (count == buffer.length) {
                writeOut();
            }
            buffer[count++] = (byte) b;
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return;
            }
            if (packetType == NO_PACKET) {
                packetType = (b[off] & 0xF0) >> 4;
            }
            if (len > buffer.length - count) {
                writeOut();
                if (len >= buffer.length) {
                    socket.write(b, off, len);
                    return;
                }
            }
            System.arraycopy(b, off, buffer, count, len);
            count += len;
        }

        /** The end of a packet: sent now, or with the publish the backlog says follows. */
        @Override
        public synchronized void flush() throws IOException {
            int type = packetType;
            packetType = NO_PACKET;
            boolean publish = type == PUBLISH;
            boolean more = backlog.written(publish);
            if (publish) {
                heldPublishes++;
            }
            if (more && (publish || type == PUBACK) && backlog.mayHold(heldPublishes)) {
                return;
            }
            writeOut();
            socket.flush();
        }

        private void writeOut() throws IOException {
            heldPublishes = 0;
            if (count > 0) {
                int n = count;
                count = 0;
                socket.write(buffer, 0, n);
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
