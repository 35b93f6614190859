package io.cameliotos.component.iotos.session;

/**
 * The broker answered a subscription with the failure return code (0x80), usually because the account may not read
 * that topic. Retrying would get the same answer, so a consumer's start fails with it.
 */
public final class SubscriptionRefusedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    public SubscriptionRefusedException(String message) {
        super(message);
    }
}
