package io.cameliotos.component.iotos.session;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;

import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * TLS sockets of another factory (the user's, or the JVM's default) for {@code ssl://} brokers, whose plain-text
 * output is collected as {@link BufferedSocketFactory}'s is: the packets of a burst go out as one TLS record and one
 * write per 8 KiB instead of a record and a write each. Everything else (handshake, host name verification, cipher
 * suites, input) is the wrapped socket's. Input needs no buffer of its own: TLS decrypts a whole record at a time, so
 * the client's byte-by-byte reads within it cost no system call. Callbacks of the TLS machinery (handshake listeners,
 * key and trust managers) see the wrapped socket, not this one.
 */
final class CoalescingSslSocketFactory extends SSLSocketFactory {

    /**
     * How long closing waits to send close_notify, and then for unsent data to leave, before it closes anyway: a
     * connection is closed when it is done with or given up, so nothing waits on it.
     */
    static final int CLOSE_LINGER_SECONDS = 1;

    private final SSLSocketFactory delegate;
    private final boolean tcpNoDelay;
    private final SendBacklog backlog;

    /**
     * @param delegate   makes the TLS sockets
     * @param tcpNoDelay whether the sockets send every write at once (TCP_NODELAY)
     * @param backlog    the session's count of queued publishes
     */
    CoalescingSslSocketFactory(SSLSocketFactory delegate, boolean tcpNoDelay, SendBacklog backlog) {
        this.delegate = delegate;
        this.tcpNoDelay = tcpNoDelay;
        this.backlog = backlog;
    }

    boolean tcpNoDelay() {
        return tcpNoDelay;
    }

    /** The one the MQTT client uses, for each connection: it connects the socket itself. */
    @Override
    public Socket createSocket() throws IOException {
        return coalescing(delegate.createSocket());
    }

    @Override
    public Socket createSocket(Socket socket, String host, int port, boolean autoClose) throws IOException {
        return coalescing(delegate.createSocket(socket, host, port, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return coalescing(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return coalescing(delegate.createSocket(host, port, localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return coalescing(delegate.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return coalescing(delegate.createSocket(address, port, localAddress, localPort));
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return delegate.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return delegate.getSupportedCipherSuites();
    }

    private Socket coalescing(Socket socket) throws IOException {
        backlog.reset();
        try {
            if (tcpNoDelay) {
                socket.setTcpNoDelay(true);
            }
            // a TLS socket's close waits for the writer's lock to send close_notify; without a linger time it waits
            // for ever behind a sender blocked on a stalled connection, the very case the client closes it for
            socket.setSoLinger(true, CLOSE_LINGER_SECONDS);
            return new CoalescingSslSocket((SSLSocket) socket, backlog);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }
}
