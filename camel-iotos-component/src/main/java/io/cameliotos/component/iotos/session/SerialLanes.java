package io.cameliotos.component.iotos.session;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Runs tasks one at a time per key, in submission order, on a shared executor; different keys run in parallel.
 * A task is finished when it calls the {@code done} callback it is given, which lets asynchronous work keep the order
 * too. Used so that controls for one point run in arrival order.
 */
public final class SerialLanes<K> {

    private final Executor executor;
    private final Map<K, ArrayDeque<Consumer<Runnable>>> lanes = new HashMap<>();
    /** Tasks submitted and not yet done, over all lanes; guarded by {@code lanes}. */
    private int unfinished;

    public SerialLanes(Executor executor) {
        this.executor = executor;
    }

    /** Queues a task for its key. The task must call the given callback exactly once when it is finished. */
    public void submit(K key, Consumer<Runnable> task) {
        boolean start;
        synchronized (lanes) {
            ArrayDeque<Consumer<Runnable>> lane = lanes.get(key);
            start = lane == null;
            if (start) {
                lane = new ArrayDeque<>();
                lanes.put(key, lane);
            }
            lane.add(task);
            unfinished++;
        }
        if (start) {
            executor.execute(() -> runHead(key));
        }
    }

    /** How many tasks were submitted and have not called their {@code done} yet, running or waiting. */
    public int unfinished() {
        synchronized (lanes) {
            return unfinished;
        }
    }

    private void runHead(K key) {
        Consumer<Runnable> task;
        synchronized (lanes) {
            task = lanes.get(key).peek();
        }
        Runnable done = new Runnable() {
            private boolean called;

            @Override
            public void run() {
                synchronized (this) {
                    if (called) {
                        return;
                    }
                    called = true;
                }
                next(key);
            }
        };
        try {
            task.accept(done);
        } catch (RuntimeException e) {
            done.run();
            throw e;
        }
    }

    private void next(K key) {
        boolean more;
        synchronized (lanes) {
            ArrayDeque<Consumer<Runnable>> lane = lanes.get(key);
            lane.poll();
            unfinished--;
            more = !lane.isEmpty();
            if (!more) {
                lanes.remove(key);
            }
        }
        if (more) {
            executor.execute(() -> runHead(key));
        }
    }
}
