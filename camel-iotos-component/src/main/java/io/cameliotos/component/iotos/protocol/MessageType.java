package io.cameliotos.component.iotos.protocol;

/**
 * The four IOTOS message flows.
 */
public enum MessageType {
    /** Flow 1, 数据上报: device to platform, one upload carrying one or more point values. */
    UPDATE,
    /** Flow 2, upload result: platform to device, one message per point of an upload. */
    UPDATE_RESULT,
    /** Flow 3, 数据下发 / 设备反控: platform to device, a control for one point. */
    CONTROL,
    /** Flow 4, control result: device to platform, the answer to one control. */
    CONTROL_RESULT
}
