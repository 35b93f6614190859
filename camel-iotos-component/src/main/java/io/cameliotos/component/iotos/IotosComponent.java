package io.cameliotos.component.iotos;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ScheduledExecutorService;

import javax.net.SocketFactory;

import io.cameliotos.component.iotos.protocol.Ids;
import io.cameliotos.component.iotos.protocol.IotosCodec;
import io.cameliotos.component.iotos.session.IotosSession;
import io.cameliotos.component.iotos.session.SessionRegistry;
import org.apache.camel.Endpoint;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.ExecutorServiceManager;
import org.apache.camel.spi.Metadata;
import org.apache.camel.spi.ThreadPoolProfile;
import org.apache.camel.spi.annotations.Component;
import org.apache.camel.support.DefaultComponent;
import org.apache.camel.support.jsse.SSLContextParameters;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code iotos:} component: Camel routes as IOTOS devices (or the platform side) over MQTT.
 */
@Component("iotos")
public class IotosComponent extends DefaultComponent {

    private static final Logger LOG = LoggerFactory.getLogger(IotosComponent.class);

    @Metadata
    private IotosConfiguration configuration = new IotosConfiguration();

    private final IotosCodec codec = new IotosCodec();
    /** One socket factory per TLS configuration, so endpoints sharing a connection also share equal settings. */
    private final Map<SSLContextParameters, SocketFactory> socketFactories = new IdentityHashMap<>();
    /** Unique to this component, so two CamelContexts in one JVM never fight over it; never starts with device_. */
    private final String platformClientId = "iotos_platform_" + Ids.newRequestId().substring(0, 16);
    private ScheduledExecutorService scheduler;
    private ExecutorService callbackExecutor;
    private SessionRegistry sessions;

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        IotosEndpoint endpoint = new IotosEndpoint(uri, this, configuration.copy());
        // before setProperties takes them
        endpoint.setUriOptions(Set.copyOf(parameters.keySet()));
        setProperties(endpoint, parameters);
        endpoint.setAddress(IotosAddress.parse(remaining, endpoint.getConfiguration().getRole()));
        return endpoint;
    }

    public IotosConfiguration getConfiguration() {
        return configuration;
    }

    /**
     * Shared configuration: every option set here is the default of all iotos endpoints.
     */
    public void setConfiguration(IotosConfiguration configuration) {
        this.configuration = configuration;
    }

    synchronized SocketFactory socketFactory(SSLContextParameters parameters) throws Exception {
        SocketFactory factory = socketFactories.get(parameters);
        if (factory == null) {
            factory = parameters.createSSLContext(getCamelContext()).getSocketFactory();
            socketFactories.put(parameters, factory);
        }
        return factory;
    }

    String platformClientId() {
        return platformClientId;
    }

    /** For short timed tasks of endpoints, such as flushing batches. */
    ScheduledExecutorService scheduler() {
        getSessions();
        return scheduler;
    }

    IotosCodec codec() {
        return codec;
    }

    /** The MQTT sessions of this component: one per broker URL and client ID. */
    synchronized SessionRegistry getSessions() {
        if (sessions == null) {
            ExecutorServiceManager manager = getCamelContext().getExecutorServiceManager();
            // every request waiting for its results has a timeout here, so the queue must not be bounded like Camel's
            // default profile's (1,000): a larger in-flight window or buffer would have its requests refused
            ThreadPoolProfile profile = new ThreadPoolProfile("IotosScheduler");
            profile.setPoolSize(1);
            profile.setMaxQueueSize(-1);
            scheduler = manager.newScheduledThreadPool(this, "IotosScheduler", profile);
            // completes publishes and acks and so runs route continuations: never on the MQTT client's thread. A
            // fork-join pool hands over many small tasks without a lock per task, which a queue-based pool needs.
            int threads = Math.max(4, Runtime.getRuntime().availableProcessors() * 2);
            String prefix = "Camel (" + getCamelContext().getName() + ") IotosCallback-";
            callbackExecutor = new ForkJoinPool(threads, pool -> {
                ForkJoinWorkerThread thread = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                thread.setName(prefix + thread.getPoolIndex());
                return thread;
            }, null, true);
            sessions = new SessionRegistry(scheduler, callbackExecutor, new HealthChecks());
        }
        return sessions;
    }

    /** One readiness check per session, where Camel's health-check registry is in use (camel-health). */
    private final class HealthChecks implements SessionRegistry.Listener {
        private final Map<IotosSession, IotosSessionHealthCheck> checks = new ConcurrentHashMap<>();

        @Override
        public void opened(IotosSession session) {
            HealthCheckRegistry registry = HealthCheckRegistry.get(getCamelContext());
            if (registry != null) {
                IotosSessionHealthCheck check = new IotosSessionHealthCheck(session, false);
                if (!registry.register(check)) {
                    check = new IotosSessionHealthCheck(session, true);
                    if (!registry.register(check)) {
                        LOG.warn("No health check for {}: the registry already has one named {}", session,
                                check.getId());
                        return;
                    }
                }
                checks.put(session, check);
            }
        }

        @Override
        public void closed(IotosSession session) {
            IotosSessionHealthCheck check = checks.remove(session);
            HealthCheckRegistry registry = HealthCheckRegistry.get(getCamelContext());
            if (check != null && registry != null) {
                registry.unregister(check);
            }
        }
    }

    @Override
    protected void doStop() throws Exception {
        SessionRegistry open;
        synchronized (this) {
            open = sessions;
            sessions = null;
        }
        if (open != null) {
            open.closeAll();
            ExecutorServiceManager manager = getCamelContext().getExecutorServiceManager();
            manager.shutdown(scheduler);
            callbackExecutor.shutdown();
            if (!callbackExecutor.awaitTermination(10, TimeUnit.SECONDS)) {
                callbackExecutor.shutdownNow();
            }
        }
        super.doStop();
    }
}
