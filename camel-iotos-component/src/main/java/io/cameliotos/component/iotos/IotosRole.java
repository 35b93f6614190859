package io.cameliotos.component.iotos;

/** Which side of the IOTOS protocol an endpoint plays. */
public enum IotosRole {
    /** The device (接入端): uploads data points and answers controls. */
    device,
    /** The platform (物联中台): receives uploads and sends controls. For simulators, tests and compatible back ends. */
    platform
}
