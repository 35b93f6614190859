package io.cameliotos.component.iotos.session;

import java.util.Objects;

/**
 * MQTT topic-filter matching (MQTT 3.1.1 §4.7), including the rule that wildcards at the first level never match
 * topics starting with {@code $}, and shared subscriptions ({@code $share/group/filter}).
 */
public final class TopicFilters {

    private static final String SHARE_PREFIX = "$share/";

    private TopicFilters() {
    }

    /** The filter with any {@code $share/group/} prefix removed: what the broker matches topics against. */
    public static String matchingPart(String filter) {
        if (filter.startsWith(SHARE_PREFIX)) {
            int slash = filter.indexOf('/', SHARE_PREFIX.length());
            return slash < 0 ? filter : filter.substring(slash + 1);
        }
        return filter;
    }

    /** The shared-subscription group, or {@code null} for an ordinary filter. */
    public static String shareGroup(String filter) {
        if (filter.startsWith(SHARE_PREFIX)) {
            int slash = filter.indexOf('/', SHARE_PREFIX.length());
            return slash < 0 ? null : filter.substring(SHARE_PREFIX.length(), slash);
        }
        return null;
    }

    /** True if the topic name matches the filter. */
    public static boolean matches(String filter, String topic) {
        String[] f = matchingPart(filter).split("/", -1);
        String[] t = topic.split("/", -1);
        if (t[0].startsWith("$") && (f[0].equals("+") || f[0].equals("#"))) {
            return false;
        }
        for (int k = 0; k < f.length; k++) {
            if (f[k].equals("#")) {
                return true;
            }
            if (k >= t.length || !(f[k].equals("+") || f[k].equals(t[k]))) {
                return false;
            }
        }
        return f.length == t.length;
    }

    /**
     * True if every topic matched by {@code inner} is also matched by {@code outer}, so a subscription to
     * {@code outer} alone delivers everything {@code inner} would. Shared and ordinary subscriptions never cover each
     * other: the broker treats them as independent.
     */
    public static boolean covers(String outer, String inner) {
        if (!Objects.equals(shareGroup(outer), shareGroup(inner))) {
            return false;
        }
        String[] o = matchingPart(outer).split("/", -1);
        String[] i = matchingPart(inner).split("/", -1);
        for (int k = 0; k < o.length; k++) {
            boolean firstDollar = k == 0 && i[0].startsWith("$");
            if (o[k].equals("#")) {
                return !firstDollar;
            }
            if (k >= i.length) {
                return false;
            }
            if (o[k].equals("+")) {
                if (i[k].equals("#") || firstDollar) {
                    return false;
                }
            } else if (!o[k].equals(i[k])) {
                return false;
            }
        }
        return o.length == i.length;
    }
}
