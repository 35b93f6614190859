package io.cameliotos.component.iotos;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Function;

import javax.net.SocketFactory;

import io.cameliotos.component.iotos.protocol.IotosCodec;
import io.cameliotos.component.iotos.protocol.PointDefinition;
import io.cameliotos.component.iotos.protocol.PointTable;
import io.cameliotos.component.iotos.session.IotosSession;
import io.cameliotos.component.iotos.session.SessionSettings;
import io.cameliotos.component.iotos.session.Subscription;
import io.cameliotos.component.iotos.session.SubscriptionRefusedException;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.api.management.ManagedAttribute;
import org.apache.camel.api.management.ManagedResource;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;
import org.apache.camel.support.ResourceHelper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads data points to and receives controls from the IOTOS platform (device role), or plays the platform.
 */
@ManagedResource(description = "Managed IOTOS endpoint: the state and counters of its MQTT session")
@UriEndpoint(firstVersion = "1.0.0", scheme = "iotos", title = "IOTOS", syntax = "iotos:gatewayId/deviceId/pointId",
             category = { Category.IOT, Category.MESSAGING }, headersClass = IotosConstants.class)
public class IotosEndpoint extends DefaultEndpoint {

    private static final Logger LOG = LoggerFactory.getLogger(IotosEndpoint.class);
    /** The options labelled producer and consumer (ComponentMetadataTest keeps these in step with the labels). */
    static final Set<String> PRODUCER_OPTIONS = Set.of("ackTimeout", "awaitAck", "batchLinger", "batchMaxPoints");
    static final Set<String> CONSUMER_OPTIONS = Set.of("autoReply", "controlDedupeSize", "controlMaxAge", "sharedGroup");
    /** Shorter holds drop what the broker of a persistent session queued before the routes could subscribe. */
    private static final long MIN_SENSIBLE_HOLD_MILLIS = 1000;

    @UriPath(description = "Gateway ID (网关ID): a positive integer, or an asterisk for any gateway in the "
                           + "platform role")
    @Metadata(required = true)
    private String gatewayId;
    @UriPath(description = "Device ID (设备ID): a positive integer, or an asterisk for any device in the "
                           + "platform role")
    @Metadata(required = true)
    private String deviceId;
    @UriPath(description = "Data point ID (数据点ID): a positive integer. Optional: without it a device consumer "
                           + "receives the controls of every point of the device; an asterisk for any in the platform "
                           + "role")
    private String pointId;
    @UriParam
    private IotosConfiguration configuration;

    private IotosAddress address;
    private PointTable resolvedPointTable;
    /** The options the endpoint's URI gave. */
    private Set<String> uriOptions = Set.of();

    public IotosEndpoint(String uri, IotosComponent component, IotosConfiguration configuration) {
        super(uri, component);
        this.configuration = configuration;
    }

    @Override
    public IotosComponent getComponent() {
        return (IotosComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() throws Exception {
        warnAboutIgnored(CONSUMER_OPTIONS, "a consumer", "producer");
        return configuration.getRole() == IotosRole.platform
                ? new IotosPlatformProducer(this) : new IotosDeviceProducer(this);
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        warnAboutIgnored(PRODUCER_OPTIONS, "a producer", "consumer");
        Consumer consumer = configuration.getRole() == IotosRole.platform
                ? new IotosPlatformConsumer(this, processor) : new IotosDeviceConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    @Override
    protected void doInit() throws Exception {
        super.doInit();
        int qos = configuration.getQos();
        if (qos < 0 || qos > 2) {
            throw new IllegalArgumentException("Invalid iotos option qos=" + qos + ": expected 0, 1 or 2");
        }
        requireAtLeast("maxPayloadSize", configuration.getMaxPayloadSize(), 1, "a positive number of bytes");
        requireAtLeast("ackTimeout", configuration.getAckTimeout(), 1, "a positive duration");
        requireAtLeast("controlMaxAge", configuration.getControlMaxAge(), 0, "0 (no limit) or a positive duration");
        requireAtLeast("controlDedupeSize", configuration.getControlDedupeSize(), 0,
                "0 (off) or a positive number of controls");
        requireAtLeast("unclaimedHoldTime", configuration.getUnclaimedHoldTime(), 1, "a positive duration");
        requireAtLeast("batchLinger", configuration.getBatchLinger(), 0, "0 (no batching) or a positive duration");
        requireAtLeast("batchMaxPoints", configuration.getBatchMaxPoints(), 1, "a positive number of points");
        requireAtLeast("keepAliveInterval", configuration.getKeepAliveInterval(), 0,
                "0 (no keep-alive) or a positive number of seconds");
        requireAtLeast("connectionTimeout", configuration.getConnectionTimeout(), 0,
                "0 or a positive number of seconds");
        requireAtLeast("maxInflight", configuration.getMaxInflight(), 1, "a positive number of publishes");
        requireAtLeast("offlineBufferSize", configuration.getOfflineBufferSize(), 0,
                "0 (no buffer) or a positive number of publishes");
        requireAtLeast("reconnectDelay", configuration.getReconnectDelay(), 1, "a positive duration");
        if (configuration.getMaxReconnectDelay() < configuration.getReconnectDelay()) {
            throw new IllegalArgumentException("Invalid iotos option maxReconnectDelay="
                                               + configuration.getMaxReconnectDelay() + ": expected at least reconnectDelay="
                                               + configuration.getReconnectDelay() + " (both in milliseconds)");
        }
        String brokerUrl = configuration.getBrokerUrl();
        if (configuration.getSslContextParameters() != null
            && !(brokerUrl.regionMatches(true, 0, "ssl://", 0, 6) || brokerUrl.regionMatches(true, 0, "wss://", 0, 6))) {
            // the MQTT client would refuse a TLS socket factory for a plain URL at every connect, for ever
            throw new IllegalArgumentException("Invalid iotos option sslContextParameters with brokerUrl=" + brokerUrl
                                               + ": TLS needs an ssl:// or wss:// broker URL");
        }
        if (!configuration.isCleanSession() && configuration.getUnclaimedHoldTime() < MIN_SENSIBLE_HOLD_MILLIS) {
            // a plain number is milliseconds: unclaimedHoldTime=60 drops what the broker queued before a route started
            LOG.warn("{}: unclaimedHoldTime={} ms is shorter than routes take to start; what the broker queued for "
                     + "this persistent session may be dropped before a route subscribes (write 60s for seconds)", this,
                    configuration.getUnclaimedHoldTime());
        }
        if (configuration.getPersistence() == IotosPersistence.FILE && configuration.getRole() == IotosRole.platform
            && configuration.getClientId() == null) {
            // the store's directory is named by the client ID, and the platform's default one is new in every run
            throw new IllegalArgumentException("Invalid iotos option persistence=FILE with role=platform: set clientId, "
                                               + "so that a restart finds what the last run stored");
        }
        String clientId = configuration.getClientId();
        if (clientId != null && configuration.getRole() == IotosRole.device && !clientId.equals(deviceClientId())) {
            // IOTOS knows a device's connection by this ID alone; other brokers may not care, so it is only a warning
            LOG.warn("{}: connecting as clientId {}, but IOTOS requires device {}/{} to connect as {}", this, clientId,
                    address.gatewayId(), address.deviceId(), deviceClientId());
        }
        String group = configuration.getSharedGroup();
        if (group != null && (group.isEmpty() || group.contains("/") || group.contains("+") || group.contains("#"))) {
            throw new IllegalArgumentException("Invalid iotos option sharedGroup=" + group
                                               + ": expected a name without '/', '+' or '#'");
        }
        resolvedPointTable = loadPointTable();
        if (resolvedPointTable != null && address.hasPoint()) {
            requireAgreesWithPointTable("pointOid", "oid", configuration.getPointOid(), PointDefinition::oid,
                    PointTable::byOid);
            requireAgreesWithPointTable("pointName", "name", configuration.getPointName(), PointDefinition::name,
                    PointTable::byName);
        }
    }

    /**
     * The URI's point and its oid or name must be one point of the point table: else uploads and controls would carry
     * the ID of one point and the oid or name of another, which the platform may read either way.
     */
    private void requireAgreesWithPointTable(String option, String attribute, String value,
            Function<PointDefinition, String> attributeOf, BiFunction<PointTable, String, Optional<PointDefinition>> find) {
        if (value == null) {
            return;
        }
        long uriPoint = address.pointId();
        String known = resolvedPointTable.byId(uriPoint).map(attributeOf).orElse(null);
        if (known != null && !known.equals(value)) {
            throw new IllegalArgumentException("Invalid iotos option " + option + "=" + value + ": the point table "
                                               + "gives the URI's point " + uriPoint + " the " + attribute + " "
                                               + known);
        }
        Optional<PointDefinition> named = find.apply(resolvedPointTable, value);
        if (known == null && named.isPresent() && named.get().id() != uriPoint) {
            throw new IllegalArgumentException("Invalid iotos option " + option + "=" + value + ": the point table "
                                               + "gives that " + attribute + " to point " + named.get().id()
                                               + ", not to the URI's point " + uriPoint);
        }
    }

    /** The URI's options that only the other side reads: set on this side's URI, they are a mistake to point out. */
    private void warnAboutIgnored(Set<String> otherSidesOptions, String otherSide, String side) {
        for (String option : uriOptions) {
            if (otherSidesOptions.contains(option)) {
                LOG.warn("{}: {} is an option of {}; this {} ignores it", this, option, otherSide, side);
            }
        }
    }

    void setUriOptions(Set<String> uriOptions) {
        this.uriOptions = uriOptions;
    }

    private static void requireAtLeast(String option, long value, long least, String expected) {
        if (value < least) {
            throw new IllegalArgumentException("Invalid iotos option " + option + "=" + value + ": expected " + expected);
        }
    }

    private PointTable loadPointTable() throws Exception {
        if (configuration.getPointTable() != null || configuration.getPointTableFile() == null) {
            return configuration.getPointTable();
        }
        String file = configuration.getPointTableFile();
        String uri = file.contains(":") && !file.matches("^[A-Za-z]:\\\\.*") ? file : "file:" + file;
        try (InputStream in = ResourceHelper.resolveMandatoryResourceAsInputStream(getCamelContext(), uri)) {
            PointTable table = PointTable.load(file, in);
            LOG.debug("Loaded {} points from {}", table.points().size(), file);
            return table;
        } catch (Exception e) {
            throw new IllegalArgumentException("Invalid iotos option pointTableFile=" + file + ": " + e.getMessage(), e);
        }
    }

    /** The MQTT connection settings of this endpoint; endpoints with equal broker URL and client ID share one. */
    SessionSettings sessionSettings() throws Exception {
        SocketFactory socketFactory = configuration.getSslContextParameters() == null
                ? null : getComponent().socketFactory(configuration.getSslContextParameters());
        return new SessionSettings(configuration.getBrokerUrl(), effectiveClientId(), configuration.getUsername(),
                configuration.getPassword(), configuration.isCleanSession(), configuration.getKeepAliveInterval(),
                configuration.getConnectionTimeout(), configuration.getMaxInflight(),
                configuration.getOfflineBufferSize(), configuration.getOfflineBufferPolicy(),
                configuration.getReconnectDelay(), configuration.getMaxReconnectDelay(), configuration.isTcpNoDelay(),
                socketFactory, persistenceDirectory(), configuration.getUnclaimedHoldTime());
    }

    private Path persistenceDirectory() {
        if (configuration.getPersistence() != IotosPersistence.FILE) {
            return null;
        }
        String dir = configuration.getFilePersistenceDirectory();
        return Path.of(dir != null ? dir : "iotos-persistence").toAbsolutePath();
    }

    String effectiveClientId() {
        if (configuration.getClientId() != null) {
            return configuration.getClientId();
        }
        if (configuration.getRole() == IotosRole.platform) {
            return getComponent().platformClientId();
        }
        return deviceClientId();
    }

    /** The client ID IOTOS requires of this endpoint's device: device_{gatewayId}_{deviceId}. */
    private String deviceClientId() {
        return "device_" + address.gatewayId() + "_" + address.deviceId();
    }

    /** Takes a share of this endpoint's session; give it back with {@link #releaseSession}. */
    IotosSession acquireSession() throws Exception {
        IotosSession session = getComponent().getSessions().acquire(sessionSettings());
        awaitQuietly(session.firstAttempt(), "connect");
        if (!session.isConnected()) {
            LOG.warn("{} starts while {} is not connected ({}); it keeps trying in the background",
                    this, session.settings().key(), IotosSession.describe(session.lastError()));
        }
        return session;
    }

    void releaseSession(IotosSession session) {
        if (session != null) {
            getComponent().getSessions().release(session);
        }
    }

    /**
     * Waits, at route start, for a subscription while connected, so nothing sent right after start is missed.
     *
     * @throws SubscriptionRefusedException if the broker refused it: the route would never receive anything
     */
    void awaitSubscribed(IotosSession session, Subscription subscription) {
        if (session.isConnected()) {
            try {
                awaitQuietly(subscription.ready(), "subscribe");
            } catch (SubscriptionRefusedException e) {
                throw new SubscriptionRefusedException(this + ": " + e.getMessage());
            }
        }
    }

    private void awaitQuietly(CompletableFuture<Void> future, String what) {
        try {
            future.get(configuration.getConnectionTimeout() + 1L, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SubscriptionRefusedException refused) {
                throw refused;
            }
            LOG.warn("{}: {} did not complete at start-up ({}); continuing in the background", this, what,
                    e.getMessage());
        } catch (TimeoutException e) {
            LOG.warn("{}: {} did not complete at start-up ({}); continuing in the background", this, what,
                    e.getMessage());
        }
    }

    IotosCodec codec() {
        return getComponent().codec();
    }

    IotosAddress getAddress() {
        return address;
    }

    void setAddress(IotosAddress address) {
        this.address = address;
        this.gatewayId = idText(address.gatewayId());
        this.deviceId = idText(address.deviceId());
        this.pointId = address.hasPoint() ? idText(address.pointId()) : null;
    }

    private static String idText(long id) {
        return id == 0 ? "*" : Long.toString(id);
    }

    /** The point table from pointTable or pointTableFile, or {@code null}. */
    PointTable pointTable() {
        return resolvedPointTable;
    }

    public IotosConfiguration getConfiguration() {
        return configuration;
    }

    // ---------------------------------------------------------------- management (JMX)

    /** The open session this endpoint uses, if any: producers and consumers open it when they start. */
    private IotosSession openSession() {
        try {
            SessionSettings.SessionKey key = new SessionSettings.SessionKey(configuration.getBrokerUrl(),
                    effectiveClientId());
            for (IotosSession session : getComponent().getSessions().sessions()) {
                if (session.settings().key().equals(key)) {
                    return session;
                }
            }
        } catch (RuntimeException e) {
            LOG.debug("No session for {}: {}", this, e.getMessage());
        }
        return null;
    }

    private long counter(String name) {
        IotosSession session = openSession();
        return session == null ? 0 : session.metrics().snapshot().getOrDefault(name, 0L);
    }

    @ManagedAttribute(description = "MQTT client ID of the session")
    public String getSessionClientId() {
        return effectiveClientId();
    }

    @ManagedAttribute(description = "State of the session: CONNECTING, CONNECTED or DISCONNECTED (NONE if not open)")
    public String getSessionState() {
        IotosSession session = openSession();
        return session == null ? "NONE" : session.state().name();
    }

    @ManagedAttribute(description = "Why the session is not connected, if it is not")
    public String getSessionLastError() {
        IotosSession session = openSession();
        return session == null || session.lastError() == null ? null : IotosSession.describe(session.lastError());
    }

    @ManagedAttribute(description = "Publishes waiting in the offline buffer")
    public int getBufferedCount() {
        IotosSession session = openSession();
        return session == null ? 0 : session.bufferedCount();
    }

    @ManagedAttribute(description = "Uploads and controls sent and still waiting for the other side's result")
    public int getPendingResults() {
        IotosSession session = openSession();
        return session == null ? 0 : session.correlator().size();
    }

    @ManagedAttribute(description = "Successful connects of the session")
    public long getConnects() {
        return counter("connects");
    }

    @ManagedAttribute(description = "Connections of the session lost after being up (each followed by a reconnect)")
    public long getConnectionLosses() {
        return counter("connectionLosses");
    }

    @ManagedAttribute(description = "Upload exchanges completed")
    public long getUploadsSent() {
        return counter("uploadsSent");
    }

    @ManagedAttribute(description = "Upload exchanges acknowledged by the platform (awaitAck)")
    public long getUploadsAcked() {
        return counter("uploadsAcked");
    }

    @ManagedAttribute(description = "Upload exchanges failed")
    public long getUploadsFailed() {
        return counter("uploadsFailed");
    }

    @ManagedAttribute(description = "Controls received")
    public long getControlsReceived() {
        return counter("controlsReceived");
    }

    @ManagedAttribute(description = "Control results published")
    public long getControlsAnswered() {
        return counter("controlsAnswered");
    }

    @ManagedAttribute(description = "Repeated controls answered without running the route")
    public long getControlsDuplicate() {
        return counter("controlsDuplicate");
    }

    @ManagedAttribute(description = "Controls refused as older than controlMaxAge")
    public long getControlsExpired() {
        return counter("controlsExpired");
    }

    public void setConfiguration(IotosConfiguration configuration) {
        this.configuration = configuration;
    }

    public String getGatewayId() {
        return gatewayId;
    }

    public String getDeviceId() {
        return deviceId;
    }

    public String getPointId() {
        return pointId;
    }
}
