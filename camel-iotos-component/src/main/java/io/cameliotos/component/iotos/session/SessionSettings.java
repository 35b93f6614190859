package io.cameliotos.component.iotos.session;

import java.nio.file.Path;
import java.util.Objects;

import javax.net.SocketFactory;

import io.cameliotos.component.iotos.protocol.OfflineBufferPolicy;

/**
 * How to connect one session. Sessions are shared by {@link #brokerUrl()} and {@link #clientId()}; every user of a
 * session must ask for the same settings.
 *
 * @param brokerUrl               {@code tcp://host:port} or {@code ssl://host:port}
 * @param clientId                the MQTT client ID
 * @param username                may be {@code null}
 * @param password                may be {@code null}; never printed
 * @param cleanSession            MQTT clean-session flag
 * @param keepAliveSeconds        MQTT keep-alive interval
 * @param connectTimeoutSeconds   how long one connect attempt may take
 * @param maxInflight             how many publishes may await completion at once
 * @param offlineBufferSize       how many publishes may wait while disconnected or while the in-flight window is full
 * @param offlineBufferPolicy     what happens to a publish when that buffer is full
 * @param reconnectInitialDelayMs first delay between connect attempts; doubled per failure
 * @param reconnectMaxDelayMs     cap of the delay between connect attempts
 * @param tcpNoDelay              send every packet at once (TCP_NODELAY) instead of holding small ones back
 * @param socketFactory           for TLS (from {@code sslContextParameters}), or {@code null}: then {@code ssl://}
 *                                brokers get the JVM's default TLS socket factory, {@code tcp://} ones plain sockets
 * @param persistenceDirectory    where accepted QoS 1/2 publishes are kept until acknowledged, or {@code null} to keep
 *                                them in memory only
 * @param unclaimedHoldMs         how long a message that arrived with no listener for it is held for one to subscribe
 */
public record SessionSettings(
        String brokerUrl, String clientId, String username, String password,
        boolean cleanSession, int keepAliveSeconds, int connectTimeoutSeconds,
        int maxInflight, int offlineBufferSize, OfflineBufferPolicy offlineBufferPolicy,
        long reconnectInitialDelayMs, long reconnectMaxDelayMs, boolean tcpNoDelay,
        SocketFactory socketFactory, Path persistenceDirectory, long unclaimedHoldMs) {

    public SessionSettings {
        Objects.requireNonNull(brokerUrl, "brokerUrl");
        Objects.requireNonNull(clientId, "clientId");
        if (maxInflight < 1) {
            throw new IllegalArgumentException("maxInflight must be at least 1, was " + maxInflight);
        }
        if (offlineBufferSize < 0) {
            throw new IllegalArgumentException("offlineBufferSize must not be negative, was " + offlineBufferSize);
        }
        Objects.requireNonNull(offlineBufferPolicy, "offlineBufferPolicy");
        if (reconnectInitialDelayMs < 1 || reconnectMaxDelayMs < reconnectInitialDelayMs) {
            throw new IllegalArgumentException("reconnect delays must satisfy 0 < initial <= max");
        }
        if (unclaimedHoldMs < 1) {
            throw new IllegalArgumentException("unclaimedHoldMs must be positive, was " + unclaimedHoldMs);
        }
    }

    public SessionKey key() {
        return new SessionKey(brokerUrl, clientId);
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "SessionSettings[brokerUrl=" + brokerUrl + ", clientId=" + clientId + ", username=" + username
               + ", password=" + (password == null ? "none" : "xxxxxx") + ", cleanSession=" + cleanSession
               + ", keepAlive=" + keepAliveSeconds + "s, maxInflight=" + maxInflight + ", offlineBufferSize="
               + offlineBufferSize + ", tcpNoDelay=" + tcpNoDelay + ", tls=" + (socketFactory != null) + ", persistence="
               + (persistenceDirectory == null ? "memory" : persistenceDirectory) + ", unclaimedHold="
               + unclaimedHoldMs + "ms]";
    }

    /** What identifies a session: one MQTT connection per broker and client ID. */
    public record SessionKey(String brokerUrl, String clientId) {
        @Override
        public String toString() {
            return clientId + "@" + brokerUrl;
        }
    }
}
