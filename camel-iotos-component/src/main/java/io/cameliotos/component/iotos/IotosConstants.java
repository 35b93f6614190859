package io.cameliotos.component.iotos;

import org.apache.camel.spi.Metadata;

/**
 * The headers the {@code iotos:} component reads and writes.
 */
public final class IotosConstants {

    @Metadata(description = "Gateway ID (网关ID) of the message. Set on consumed messages. On the platform producer "
                            + "it names the gateway to control where the URI gives an asterisk; a URI's ID decides.",
              javaType = "Long")
    public static final String GATEWAY_ID = "CamelIotosGatewayId";
    @Metadata(description = "Device ID (设备ID) of the message. Set on consumed messages. On the platform producer "
                            + "it names the device to control where the URI gives an asterisk; a URI's ID decides.",
              javaType = "Long")
    public static final String DEVICE_ID = "CamelIotosDeviceId";
    @Metadata(description = "Data point ID (数据点ID). Set on consumed controls and results. On the device producer "
                            + "it names the point of a scalar body when the URI has none; on the platform producer "
                            + "it names the point to control where the URI has none or an asterisk.",
              javaType = "Long")
    public static final String POINT_ID = "CamelIotosPointId";
    @Metadata(description = "The point's oid. Set on controls a device consumer receives; on the producer it names "
                            + "the point of a scalar body (looked up in the point table) or fills the upload's oid.",
              javaType = "String")
    public static final String POINT_OID = "CamelIotosPointOid";
    @Metadata(description = "The point's display name (数据点名称). Set on controls a device consumer receives; on "
                            + "the producer it names the point of a scalar body (looked up in the point table) or "
                            + "fills the upload's name.",
              javaType = "String")
    public static final String POINT_NAME = "CamelIotosPointName";
    @Metadata(description = "The key of the point's entry in an upload's data object. Producer, for a single value "
                            + "(a scalar body): overrides the default key (the oid when known, else the point ID).",
              javaType = "String")
    public static final String POINT_KEY = "CamelIotosPointKey";
    @Metadata(description = "The point's sample time (ts). Device consumer: the ts of the control, read in "
                            + "seconds or milliseconds by magnitude. Producer: the ts of a scalar upload (Instant, "
                            + "Date, or epoch seconds or milliseconds as a number); default now.",
              javaType = "java.time.Instant")
    public static final String TIMESTAMP = "CamelIotosTimestamp";
    @Metadata(description = "The request ID: 32 lowercase hex characters. Producer: generated unless set (a "
                            + "java.util.UUID is taken without its dashes; a given one of another form fails the "
                            + "exchange); set on the exchange after an upload or control. One the component set (a "
                            + "producer or consumer earlier in the route) is not reused for a new request. Consumer: "
                            + "the request's ID. A CONTROL_RESULT answers the control with this ID; on the exchange a "
                            + "device consumer received a control with, it answers that control when the header is "
                            + "absent or the component wrote it.",
              javaType = "String")
    public static final String REQUEST_ID = "CamelIotosRequestId";
    @Metadata(description = "The request time. Producer: now unless set; set on the exchange after sending. One the "
                            + "component set (a producer or consumer earlier in the route) is not reused for a new "
                            + "request, even where the route removed only the request ID. Consumer: the request's "
                            + "time.",
              javaType = "java.time.Instant")
    public static final String REQUEST_TIME = "CamelIotosRequestTime";
    @Metadata(description = "The response ID of a result. Set after awaitAck and on the platform producer.",
              javaType = "String")
    public static final String RESPONSE_ID = "CamelIotosResponseId";
    @Metadata(description = "The response time of a result. Set after awaitAck and on the platform producer.",
              javaType = "java.time.Instant")
    public static final String RESPONSE_TIME = "CamelIotosResponseTime";
    @Metadata(description = "The response code: 0 is OK, anything else a failure. Set after awaitAck and on the "
                            + "platform producer when it waited for the result (InOut or awaitAck). A consumer "
                            + "route may set it to choose the code of its reply; a CONTROL_RESULT sent by the "
                            + "producer uses it (default 0).",
              javaType = "Integer")
    public static final String RESPONSE_CODE = "CamelIotosResponseCode";
    @Metadata(description = "The response description, e.g. OK. Like CamelIotosResponseCode.", javaType = "String")
    public static final String RESPONSE_DESC = "CamelIotosResponseDesc";
    @Metadata(description = "The MQTT topic the message was received on or published to.", javaType = "String")
    public static final String TOPIC = "CamelIotosTopic";
    @Metadata(description = "The flow: UPDATE (数据上报), UPDATE_RESULT, CONTROL (设备反控) or CONTROL_RESULT. Set on "
                            + "consumed messages. On the device producer, CONTROL_RESULT publishes a control result "
                            + "instead of an upload.",
              javaType = "io.cameliotos.component.iotos.protocol.MessageType",
              enums = "UPDATE,UPDATE_RESULT,CONTROL,CONTROL_RESULT")
    public static final String MESSAGE_TYPE = "CamelIotosMessageType";

    private IotosConstants() {
    }
}
