package io.cameliotos.component.iotos.session;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands a session's completions from the MQTT client's threads to the callback executor in batches. Submitting each
 * acknowledgement to the pool wakes a pool thread per message, which cost more CPU than completing the exchange. Here
 * one drainer runs whatever has queued up and stays as long as there is more, in arrival order.
 * <p>
 * A completion runs the caller's continuation, e.g. the rest of a Camel route, which may be slow or may block, even on
 * another completion of the same session. So a watchdog looks whenever work waits behind a running drainer: if no task
 * finished for {@link #STALL_MILLIS}, it starts another drainer, up to the executor's parallelism.
 */
final class CompletionRelay implements Executor {

    private static final Logger LOG = LoggerFactory.getLogger(CompletionRelay.class);
    /** How long the running tasks may make no progress, with work waiting, before another drainer starts. */
    static final long STALL_MILLIS = 5;
    private static final int DEFAULT_MAX_DRAINERS = 4;

    private final Executor executor;
    private final ScheduledExecutorService scheduler;
    private final int maxDrainers;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicInteger drainers = new AtomicInteger();
    /** Tasks finished so far: the watchdog's sign of progress. */
    private final AtomicLong finished = new AtomicLong();
    private final AtomicBoolean watching = new AtomicBoolean();

    CompletionRelay(Executor executor, ScheduledExecutorService scheduler) {
        this.executor = executor;
        this.scheduler = scheduler;
        this.maxDrainers = executor instanceof ForkJoinPool pool ? Math.max(1, pool.getParallelism()) : DEFAULT_MAX_DRAINERS;
    }

    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        if (drainers.get() == 0) {
            if (drainers.compareAndSet(0, 1)) {
                try {
                    executor.execute(this::drain);
                } catch (RejectedExecutionException e) {
                    // the executor is shut down (the component is stopping): what waits must still complete, here,
                    // as the drainer counted
                    drain();
                }
            }
        } else if (!watching.get() && watching.compareAndSet(false, true)) {
            watch(finished.get());
        }
    }

    private void drain() {
        do {
            Runnable task;
            while ((task = tasks.poll()) != null) {
                try {
                    task.run();
                } catch (RuntimeException | Error e) {
                    // a completion, a route's continuation, must not take the drainer, and with it every later
                    // completion of the session, down: not even with an error such as a stack overflow
                    LOG.warn("A completion failed: {}", e.toString(), e);
                } finally {
                    finished.incrementAndGet();
                }
            }
            drainers.decrementAndGet();
            // a task added after the last poll saw this drainer still running and left the work to it
        } while (!tasks.isEmpty() && drainers.compareAndSet(0, 1));
    }

    private void watch(long finishedBefore) {
        try {
            scheduler.schedule(() -> {
                watching.set(false);
                if (!tasks.isEmpty() && finished.get() == finishedBefore) {
                    addDrainer();
                }
                // still waiting work is watched again
                if (!tasks.isEmpty() && drainers.get() > 0 && watching.compareAndSet(false, true)) {
                    watch(finished.get());
                }
            }, STALL_MILLIS, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // the component is stopping; the running drainers finish what is queued
            watching.set(false);
        }
    }

    private void addDrainer() {
        int running;
        while ((running = drainers.get()) < maxDrainers) {
            if (drainers.compareAndSet(running, running + 1)) {
                try {
                    executor.execute(this::drain);
                } catch (RejectedExecutionException e) {
                    // the running drainers finish what is queued
                    drainers.decrementAndGet();
                }
                return;
            }
        }
    }

    /** Drainers running now; for tests. */
    int drainers() {
        return drainers.get();
    }
}
