package io.cameliotos.component.iotos;

import io.cameliotos.component.iotos.protocol.PointTable;
import io.cameliotos.component.iotos.protocol.OfflineBufferPolicy;
import org.apache.camel.RuntimeCamelException;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriParams;
import org.apache.camel.support.jsse.SSLContextParameters;

/**
 * The options of the {@code iotos:} component. Set them once on the component (e.g.
 * {@code camel.component.iotos.brokerUrl}) and override them per endpoint in the URI.
 */
@UriParams
public class IotosConfiguration implements Cloneable {

    public static final String DEFAULT_BROKER_URL = "tcp://localhost:1883";

    // common
    @UriParam(defaultValue = DEFAULT_BROKER_URL)
    private String brokerUrl = DEFAULT_BROKER_URL;
    @UriParam
    private String clientId;
    @UriParam(defaultValue = "device", enums = "device,platform")
    private IotosRole role = IotosRole.device;
    @UriParam(defaultValue = "1", enums = "0,1,2")
    private int qos = 1;
    @UriParam
    private String pointOid;
    @UriParam
    private String pointName;
    @UriParam
    private PointTable pointTable;
    @UriParam
    private String pointTableFile;
    @UriParam(defaultValue = "262144")
    private int maxPayloadSize = 256 * 1024;

    // producer
    @UriParam(label = "producer")
    private boolean awaitAck;
    @UriParam(label = "producer", defaultValue = "10000", javaType = "java.time.Duration")
    private long ackTimeout = 10_000;
    @UriParam(label = "producer", defaultValue = "0", javaType = "java.time.Duration")
    private long batchLinger;
    @UriParam(label = "producer", defaultValue = "100")
    private int batchMaxPoints = 100;

    // consumer
    @UriParam(label = "consumer", defaultValue = "true")
    private boolean autoReply = true;
    @UriParam(label = "consumer")
    private String sharedGroup;
    @UriParam(label = "consumer", defaultValue = "0", javaType = "java.time.Duration")
    private long controlMaxAge;
    @UriParam(label = "consumer", defaultValue = "10000")
    private int controlDedupeSize = 10_000;

    // connection
    @UriParam(label = "advanced", defaultValue = "true")
    private boolean cleanSession = true;
    @UriParam(label = "advanced", defaultValue = "60")
    private int keepAliveInterval = 60;
    @UriParam(label = "advanced", defaultValue = "30")
    private int connectionTimeout = 30;
    @UriParam(label = "advanced", defaultValue = "1000")
    private int maxInflight = 1000;
    @UriParam(label = "advanced", defaultValue = "false")
    private boolean tcpNoDelay;
    @UriParam(label = "advanced", defaultValue = "10000")
    private int offlineBufferSize = 10_000;
    @UriParam(label = "advanced", defaultValue = "FAIL", enums = "FAIL,DROP_OLDEST")
    private OfflineBufferPolicy offlineBufferPolicy = OfflineBufferPolicy.FAIL;
    @UriParam(label = "advanced", defaultValue = "1000", javaType = "java.time.Duration")
    private long reconnectDelay = 1000;
    @UriParam(label = "advanced", defaultValue = "MEMORY", enums = "MEMORY,FILE")
    private IotosPersistence persistence = IotosPersistence.MEMORY;
    @UriParam(label = "advanced")
    private String filePersistenceDirectory;
    @UriParam(label = "advanced", defaultValue = "30000", javaType = "java.time.Duration")
    private long maxReconnectDelay = 30_000;
    @UriParam(label = "advanced", defaultValue = "60000", javaType = "java.time.Duration")
    private long unclaimedHoldTime = 60_000;

    // security
    @UriParam(label = "security", secret = true)
    @Metadata(secret = true)
    private String username;
    @UriParam(label = "security", secret = true)
    @Metadata(secret = true)
    private String password;
    @UriParam(label = "security")
    private SSLContextParameters sslContextParameters;

    public IotosConfiguration copy() {
        try {
            return (IotosConfiguration) clone();
        } catch (CloneNotSupportedException e) {
            throw new RuntimeCamelException(e);
        }
    }

    public String getBrokerUrl() {
        return brokerUrl;
    }

    /**
     * The MQTT broker: tcp://host:1883 or ssl://host:8883. The public IOTOS broker is tcp://mqtt.aiotos.net:1883;
     * private deployments use their own host. Usually set once on the component.
     */
    public void setBrokerUrl(String brokerUrl) {
        this.brokerUrl = brokerUrl;
    }

    public String getClientId() {
        return clientId;
    }

    /**
     * The MQTT client ID. The device role defaults to device_{gatewayId}_{deviceId}, which IOTOS requires (another
     * value is logged as a warning at start); the platform role to an ID unique to the component (one per
     * CamelContext). All endpoints with the same broker URL and client ID share one connection.
     */
    public void setClientId(String clientId) {
        this.clientId = clientId;
    }

    public IotosRole getRole() {
        return role;
    }

    /**
     * Which side the endpoint plays: device (uploads data, answers controls) or platform (receives uploads, sends
     * controls; for simulators, tests and IOTOS-compatible back ends).
     */
    public void setRole(IotosRole role) {
        this.role = role;
    }

    public int getQos() {
        return qos;
    }

    /**
     * MQTT quality of service for publishing and subscribing: 0, 1 or 2.
     */
    public void setQos(int qos) {
        this.qos = qos;
    }

    public String getPointOid() {
        return pointOid;
    }

    /**
     * The oid of the endpoint's point, written into uploads when the message does not carry one; with a point table,
     * it can also name the point when the URI has no point ID. With both a point ID in the URI and a point table, the
     * table must not give that point another oid, nor this oid to another point (checked at start).
     */
    public void setPointOid(String pointOid) {
        this.pointOid = pointOid;
    }

    public String getPointName() {
        return pointName;
    }

    /**
     * The display name (数据点名称) of the endpoint's point, written into uploads when the message does not carry
     * one; with a point table, it can also name the point when the URI has no point ID. With both a point ID in the
     * URI and a point table, the table must not give that point another name, nor this name only to another point
     * (checked at start).
     */
    public void setPointName(String pointName) {
        this.pointName = pointName;
    }

    public PointTable getPointTable() {
        return pointTable;
    }

    /**
     * The device's data points (ID, oid, name), so bodies may address points by oid or name and uploads carry oid
     * and name. Takes precedence over pointTableFile.
     */
    public void setPointTable(PointTable pointTable) {
        this.pointTable = pointTable;
    }

    public String getPointTableFile() {
        return pointTableFile;
    }

    /**
     * A point table exported from the IOTOS console, as CSV (header row with id/data_id/数据点ID, oid, name/名称) or
     * JSON (an array of objects with the same fields). Prefix with classpath:, file: or http: as for any Camel
     * resource; no prefix means a file.
     */
    public void setPointTableFile(String pointTableFile) {
        this.pointTableFile = pointTableFile;
    }

    public int getMaxPayloadSize() {
        return maxPayloadSize;
    }

    /**
     * Inbound messages larger than this many bytes are rejected without parsing; controls that carry a readable
     * requestId are answered with code 413.
     */
    public void setMaxPayloadSize(int maxPayloadSize) {
        this.maxPayloadSize = maxPayloadSize;
    }

    public boolean isAwaitAck() {
        return awaitAck;
    }

    /**
     * Device producer: complete an upload only when the platform's result for each of its points has arrived, and
     * fail it with an IotosResponseException on a non-zero code or after ackTimeout. Platform producer: wait for the
     * control's result in the same way for InOnly exchanges too (an InOut exchange always waits). A stopping producer
     * waits up to 2 s (at most ackTimeout) for the results of what it sent.
     */
    public void setAwaitAck(boolean awaitAck) {
        this.awaitAck = awaitAck;
    }

    public long getAckTimeout() {
        return ackTimeout;
    }

    /**
     * How long awaitAck waits for the results of an upload (and the platform producer for a control result), in
     * milliseconds or as a duration such as 10s.
     */
    public void setAckTimeout(long ackTimeout) {
        this.ackTimeout = ackTimeout;
    }

    public long getBatchLinger() {
        return batchLinger;
    }

    /**
     * Device producer: merge uploads into fewer, larger ones. An upload waits up to this long for others (like
     * Kafka's linger.ms), in milliseconds or as a duration such as 20ms; 0 (the default) sends every upload on its
     * own. Each exchange still completes on its own.
     * Uploads with their own CamelIotosRequestId or CamelIotosRequestTime header (or an Upload body) are never merged:
     * they send the waiting merged upload first, so the values of a point keep their order. A value JSON cannot carry
     * (NaN, say) fails its own exchange only.
     */
    public void setBatchLinger(long batchLinger) {
        this.batchLinger = batchLinger;
    }

    public int getBatchMaxPoints() {
        return batchMaxPoints;
    }

    /**
     * Device producer with batchLinger: the most points one merged upload carries; a full upload is sent at once.
     */
    public void setBatchMaxPoints(int batchMaxPoints) {
        this.batchMaxPoints = batchMaxPoints;
    }

    public boolean isAutoReply() {
        return autoReply;
    }

    /**
     * Publish the result when the exchange completes: a control result (device role) or upload results (platform
     * role), code 0 on success or the failure's code and message. Turn off to answer controls later with a device
     * producer and CamelIotosMessageType=CONTROL_RESULT. Controls no route sees (invalid, too large, expired, or left
     * queued when the route stops) are answered by the component either way. A platform consumer with it off sends
     * no upload results.
     */
    public void setAutoReply(boolean autoReply) {
        this.autoReply = autoReply;
    }

    public String getSharedGroup() {
        return sharedGroup;
    }

    /**
     * Platform consumer: subscribe as a member of this MQTT shared-subscription group ($share/{group}/...), so that
     * several consumers (in this or other processes, with different client IDs) split the uploads between them, each
     * upload going to exactly one of them. Needs a broker that delivers $-topics to shared subscriptions (Mosquitto
     * 2.0.11 and Moquette 0.17 do not). Not with a point in the URI: the group splits uploads by message, not by point.
     */
    public void setSharedGroup(String sharedGroup) {
        this.sharedGroup = sharedGroup;
    }

    public long getControlMaxAge() {
        return controlMaxAge;
    }

    /**
     * Device consumer: refuse controls older than this (by their requestTime, else ts; in milliseconds or as a
     * duration such as 30s) without running the route, answering code 410, so that commands queued during an outage
     * are not executed late. 0 (the default) turns the check off, since device and platform clocks may differ.
     */
    public void setControlMaxAge(long controlMaxAge) {
        this.controlMaxAge = controlMaxAge;
    }

    public int getControlDedupeSize() {
        return controlDedupeSize;
    }

    /**
     * Device consumer: how many recent controls (point and requestId) are remembered, so that a control delivered
     * again runs the route once and the repeat is answered with the same result. At most 16 MiB of answers are kept
     * as well, the oldest forgotten first. 0 turns this off.
     */
    public void setControlDedupeSize(int controlDedupeSize) {
        this.controlDedupeSize = controlDedupeSize;
    }

    public boolean isCleanSession() {
        return cleanSession;
    }

    /**
     * MQTT clean session: when false the broker keeps the subscriptions and queued QoS 1/2 messages of the client ID
     * while it is offline, stopping consumers keep their subscriptions at the broker, and what the broker sends at the
     * next start before a consumer subscribed is held for it (for unclaimedHoldTime).
     */
    public void setCleanSession(boolean cleanSession) {
        this.cleanSession = cleanSession;
    }

    public int getKeepAliveInterval() {
        return keepAliveInterval;
    }

    /**
     * MQTT keep-alive interval in seconds; a silent connection is considered lost after 1.5 times this.
     */
    public void setKeepAliveInterval(int keepAliveInterval) {
        this.keepAliveInterval = keepAliveInterval;
    }

    public int getConnectionTimeout() {
        return connectionTimeout;
    }

    /**
     * How long one connect attempt may take, in seconds: opening the connection and the broker's answer to the
     * CONNECT (an attempt still unanswered a second later is ended and retried). Routes also wait up to this long at
     * start-up for the first attempt, then go on in the background. 0 waits for ever.
     */
    public void setConnectionTimeout(int connectionTimeout) {
        this.connectionTimeout = connectionTimeout;
    }

    public int getMaxInflight() {
        return maxInflight;
    }

    /**
     * How many publishes of one connection may await the broker's acknowledgement at once. Further publishes wait
     * in the offline buffer.
     */
    public void setMaxInflight(int maxInflight) {
        this.maxInflight = maxInflight;
    }

    public boolean isTcpNoDelay() {
        return tcpNoDelay;
    }

    /**
     * Sends every MQTT packet at once (TCP_NODELAY, for tcp:// and ssl:// brokers) instead of letting the operating
     * system hold a small packet back while earlier data awaits the broker's TCP acknowledgement (Nagle's algorithm).
     * Turn it on where control latency matters: a control result sent shortly after other traffic can otherwise wait
     * for that acknowledgement, up to the broker's delayed-acknowledgement time (often 40 ms). The packets of a burst
     * still leave together, one write per 8 KiB (on ssl:// one TLS record).
     */
    public void setTcpNoDelay(boolean tcpNoDelay) {
        this.tcpNoDelay = tcpNoDelay;
    }

    public int getOfflineBufferSize() {
        return offlineBufferSize;
    }

    /**
     * How many publishes of one connection may wait, in order, while it is disconnected or its in-flight window is
     * full. When the buffer is full, offlineBufferPolicy decides: FAIL (the default) refuses the new publish at once,
     * DROP_OLDEST fails the oldest waiting one instead. 0 buffers nothing.
     */
    public void setOfflineBufferSize(int offlineBufferSize) {
        this.offlineBufferSize = offlineBufferSize;
    }

    public OfflineBufferPolicy getOfflineBufferPolicy() {
        return offlineBufferPolicy;
    }

    /**
     * When the offline buffer is full: FAIL refuses the new publish at once (nothing is lost silently); DROP_OLDEST
     * accepts it and fails the oldest buffered publish instead, for devices where only fresh readings matter.
     */
    public void setOfflineBufferPolicy(OfflineBufferPolicy offlineBufferPolicy) {
        this.offlineBufferPolicy = offlineBufferPolicy;
    }

    public IotosPersistence getPersistence() {
        return persistence;
    }

    /**
     * Where a connection keeps the QoS 1/2 messages it accepted (buffered or in flight) until the broker acknowledged
     * them: MEMORY, or FILE so that they survive a crash of the JVM and are sent after restart. FILE finds the files
     * again by client ID: with role=platform it needs a clientId. One connection at a time holds a client ID's files:
     * another with that client ID (on another broker, or in another process) fails to start.
     */
    public void setPersistence(IotosPersistence persistence) {
        this.persistence = persistence;
    }

    public String getFilePersistenceDirectory() {
        return filePersistenceDirectory;
    }

    /**
     * The base directory of persistence=FILE; each client ID gets a directory below it. Defaults to
     * iotos-persistence in the working directory.
     */
    public void setFilePersistenceDirectory(String filePersistenceDirectory) {
        this.filePersistenceDirectory = filePersistenceDirectory;
    }

    public long getReconnectDelay() {
        return reconnectDelay;
    }

    /**
     * The first delay between connect attempts, in milliseconds or as a duration such as 2s; it doubles per failure
     * up to maxReconnectDelay, with jitter.
     */
    public void setReconnectDelay(long reconnectDelay) {
        this.reconnectDelay = reconnectDelay;
    }

    public long getMaxReconnectDelay() {
        return maxReconnectDelay;
    }

    /**
     * The longest delay between connect attempts, in milliseconds or as a duration such as 1m; at least
     * reconnectDelay. The delays start again from reconnectDelay only after a connection that held this long, so a
     * connection taken over at once (another process with the same client ID) backs off like a failed connect.
     */
    public void setMaxReconnectDelay(long maxReconnectDelay) {
        this.maxReconnectDelay = maxReconnectDelay;
    }

    public long getUnclaimedHoldTime() {
        return unclaimedHoldTime;
    }

    /**
     * How long a message that arrived with no consumer for it is held for one to subscribe: what the broker of a
     * persistent session (cleanSession=false) sends right after connecting, before the routes subscribed, and what it
     * was still delivering to a consumer that stopped or was suspended. A route that starts or resumes within this
     * time still receives it; then it is dropped with a warning and counted as messagesUnclaimed. In milliseconds or
     * as a duration such as 60s. At most 1,000 messages or 16 MiB are held at once. A setting of the connection:
     * every endpoint sharing it needs the same value.
     */
    public void setUnclaimedHoldTime(long unclaimedHoldTime) {
        this.unclaimedHoldTime = unclaimedHoldTime;
    }

    public String getUsername() {
        return username;
    }

    /**
     * The IOTOS platform account (平台帐号) used as MQTT user name.
     */
    public void setUsername(String username) {
        this.username = username;
    }

    public String getPassword() {
        return password;
    }

    /**
     * The account's password. Never logged or shown in endpoint URIs.
     */
    public void setPassword(String password) {
        this.password = password;
    }

    public SSLContextParameters getSslContextParameters() {
        return sslContextParameters;
    }

    /**
     * TLS settings for ssl:// broker URLs, as Camel's standard SSLContextParameters. The server certificate and host
     * name are verified.
     */
    public void setSslContextParameters(SSLContextParameters sslContextParameters) {
        this.sslContextParameters = sslContextParameters;
    }
}
