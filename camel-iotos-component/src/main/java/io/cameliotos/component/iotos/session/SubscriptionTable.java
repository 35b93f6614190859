package io.cameliotos.component.iotos.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The listeners of one session and the broker subscriptions that serve them.
 * <p>
 * Brokers may deliver a message once per matching subscription, so subscribing both {@code .../401/+} and
 * {@code .../401/1963} would deliver controls for point 1963 twice. The table therefore keeps at the broker only the
 * filters no other filter covers, and delivers each arriving message once to every listener whose own filter matches.
 * <p>
 * A persistent session's table keeps its broker filters when their listeners go, so that the broker queues for them
 * while they are away; such a kept filter still covers the filters added later, which are then not subscribed as
 * well, and leaves the broker only when a wider filter covers it (to come back if the broker refuses that one).
 * Not thread-safe for changes: the session serialises them; {@link #dispatch} may run concurrently with them.
 */
final class SubscriptionTable {

    /**
     * A listener's subscription. {@link #ready()} completes when a covering broker subscription is acknowledged, or
     * fails when the broker refused it.
     */
    static final class Registration {
        final String filter;
        final int qos;
        final MessageListener listener;
        final CompletableFuture<Void> ready = new CompletableFuture<>();
        /** Set once the listener is removed; guarded by this registration's monitor, which a delivery holds. */
        private boolean retired;

        Registration(String filter, int qos, MessageListener listener) {
            this.filter = filter;
            this.qos = qos;
            this.listener = listener;
        }

        CompletableFuture<Void> ready() {
            return ready;
        }

        /**
         * Hands a message to the listener unless it was retired. A dispatch that read the registrations just before
         * this one was removed reaches it here, and must not hand a message to a listener that believes itself gone.
         *
         * @return whether the listener got the message
         */
        synchronized boolean deliver(String topic, byte[] payload, int qos, boolean duplicate) {
            if (retired) {
                return false;
            }
            listener.onMessage(topic, payload, qos, duplicate);
            return true;
        }

        /**
         * Ends deliveries to the listener: returns once a delivery under way has returned, and none starts after.
         * Call it without the session's lock, which a listener may need while it handles a message.
         */
        synchronized void retire() {
            retired = true;
        }
    }

    /** Broker-side changes needed after a registration was added or removed. */
    record Change(Map<String, Integer> subscribe, List<String> unsubscribe) {
        boolean isEmpty() {
            return subscribe.isEmpty() && unsubscribe.isEmpty();
        }
    }

    private final List<Registration> registrations = new CopyOnWriteArrayList<>();
    private final AtomicInteger sharedTurn = new AtomicInteger();
    /** Broker filter to granted-or-requested QoS. */
    private final Map<String, Integer> brokerFilters = new HashMap<>();
    /** Broker filters whose SUBACK arrived on the current connection. */
    private final Map<String, Boolean> acknowledged = new HashMap<>();
    /** Filters the broker refused: they never stand in for the filters they cover. */
    private final Set<String> refusedFilters = new HashSet<>();
    private final boolean keepBrokerFilters;
    /**
     * With {@link #keepBrokerFilters}: every filter subscribed and not refused, to QoS. One that a wider filter covers
     * is not at the broker, but comes back if the broker refuses the wider one.
     */
    private final Map<String, Integer> keptFilters = new HashMap<>();

    /** @param keepBrokerFilters whether a filter stays at the broker once no listener wants it (persistent sessions) */
    SubscriptionTable(boolean keepBrokerFilters) {
        this.keepBrokerFilters = keepBrokerFilters;
    }

    Change add(Registration registration) {
        registrations.add(registration);
        Change change = recompute();
        completeCovered();
        return change;
    }

    Change remove(Registration registration) {
        registrations.remove(registration);
        return recompute();
    }

    /** The broker filters to subscribe after a (re)connect; acknowledgements are forgotten until they arrive again. */
    Map<String, Integer> brokerFilters() {
        acknowledged.clear();
        return Map.copyOf(brokerFilters);
    }

    void acknowledged(String brokerFilter) {
        if (brokerFilters.containsKey(brokerFilter)) {
            acknowledged.put(brokerFilter, Boolean.TRUE);
            completeCovered();
        }
    }

    /**
     * The broker refused a filter. Listeners of that very filter still waiting learn why; the filters it was to cover
     * are subscribed on their own again (the returned change), as the broker may well allow those.
     */
    Change refused(String brokerFilter, SubscriptionRefusedException reason) {
        for (Registration r : registrations) {
            if (!r.ready.isDone() && brokerFilter.equals(r.filter)) {
                r.ready.completeExceptionally(reason);
            }
        }
        refusedFilters.add(brokerFilter);
        return recompute();
    }

    /**
     * Delivers one message to every listener whose filter matches, except that the listeners of one shared
     * subscription split the messages: each goes to one of them, in turn (the next one if that one was retired).
     * Returns how many received it.
     */
    int dispatch(String topic, byte[] payload, int qos, boolean duplicate) {
        int delivered = 0;
        Map<String, List<Registration>> shared = null;
        for (Registration r : registrations) {
            if (TopicFilters.matches(r.filter, topic)) {
                if (r.filter.startsWith("$share/")) {
                    if (shared == null) {
                        shared = new HashMap<>();
                    }
                    shared.computeIfAbsent(r.filter, f -> new ArrayList<>()).add(r);
                } else if (r.deliver(topic, payload, qos, duplicate)) {
                    delivered++;
                }
            }
        }
        if (shared != null) {
            for (List<Registration> members : shared.values()) {
                int turn = Math.floorMod(sharedTurn.getAndIncrement(), members.size());
                for (int i = 0; i < members.size(); i++) {
                    if (members.get((turn + i) % members.size()).deliver(topic, payload, qos, duplicate)) {
                        delivered++;
                        break;
                    }
                }
            }
        }
        return delivered;
    }

    private Change recompute() {
        List<String> covers = new ArrayList<>();
        for (Registration r : registrations) {
            covers.add(r.filter);
        }
        if (keepBrokerFilters) {
            keptFilters.keySet().removeAll(refusedFilters);
            covers.addAll(keptFilters.keySet());
        }
        Map<String, Integer> wanted = new HashMap<>();
        for (Registration r : registrations) {
            wanted.merge(widestCover(r.filter, covers), r.qos, Math::max);
        }
        if (keepBrokerFilters) {
            keptFilters.forEach((filter, qos) -> wanted.merge(widestCover(filter, covers), qos, Math::max));
            wanted.forEach((filter, qos) -> {
                if (!refusedFilters.contains(filter)) {
                    keptFilters.merge(filter, qos, Math::max);
                }
            });
        }
        Map<String, Integer> subscribe = new HashMap<>();
        wanted.forEach((filter, qos) -> {
            Integer current = brokerFilters.get(filter);
            if (current == null || current < qos) {
                subscribe.put(filter, qos);
            }
        });
        List<String> unsubscribe = new ArrayList<>();
        for (String filter : brokerFilters.keySet()) {
            if (!wanted.containsKey(filter)) {
                unsubscribe.add(filter);
            }
        }
        brokerFilters.clear();
        brokerFilters.putAll(wanted);
        refusedFilters.retainAll(wanted.keySet());
        acknowledged.keySet().retainAll(wanted.keySet());
        subscribe.keySet().forEach(acknowledged::remove);
        return new Change(subscribe, unsubscribe);
    }

    /** The widest of {@code covers} that covers {@code filter} (the filter itself if none does), refused ones aside. */
    private String widestCover(String filter, List<String> covers) {
        String cover = filter;
        for (String other : covers) {
            if (!other.equals(cover) && !refusedFilters.contains(other) && TopicFilters.covers(other, cover)) {
                cover = other;
            }
        }
        return cover;
    }

    private void completeCovered() {
        for (Registration r : registrations) {
            if (!r.ready.isDone()) {
                for (String filter : acknowledged.keySet()) {
                    if (filter.equals(r.filter) || TopicFilters.covers(filter, r.filter)) {
                        r.ready.complete(null);
                        break;
                    }
                }
            }
        }
    }
}
