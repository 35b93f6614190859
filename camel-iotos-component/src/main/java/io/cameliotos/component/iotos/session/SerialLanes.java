package io.cameliotos.component.iotos.session;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * Runs tasks one at a time per key, in submission order, on a shared executor; different keys run in parallel.
 * A task is finished when it calls the {@code done} callback it is given, which lets asynchronous work keep the order
 * too. Used so that controls for one point run in arrival order.
 */
public final class SerialLanes<K> {

    /** A task of a lane. */
    @FunctionalInterface
    public interface Task {
        /** Runs the task, which must call {@code done} exactly once when it is finished. */
        void run(Runnable done);

        /** Told instead of {@link #run} when the lanes were closed before the task's turn came. */
        default void abandon() {
        }
    }

    private final Executor executor;
    private final Map<K, ArrayDeque<Task>> lanes = new HashMap<>();
    /** Lanes whose head task has started running; guarded by {@code lanes}. */
    private final Set<K> started = new HashSet<>();
    /** Tasks submitted and not yet done, over all lanes; guarded by {@code lanes}. */
    private int unfinished;
    private boolean closed;

    public SerialLanes(Executor executor) {
        this.executor = executor;
    }

    /** Queues a task for its key; once the lanes are closed, abandons it at once. */
    public void submit(K key, Task task) {
        boolean start = false;
        boolean refused;
        synchronized (lanes) {
            refused = closed;
            if (!refused) {
                ArrayDeque<Task> lane = lanes.get(key);
                start = lane == null;
                if (start) {
                    lane = new ArrayDeque<>();
                    lanes.put(key, lane);
                }
                lane.add(task);
                unfinished++;
            }
        }
        if (refused) {
            task.abandon();
        } else if (start) {
            executor.execute(() -> runHead(key));
        }
    }

    /**
     * Starts no more tasks: every task that has not started is abandoned, in order, on this thread, including a
     * lane's first one still waiting for a thread (a pool shut down afterwards would drop it unseen). The running
     * ones finish as usual.
     */
    public void close() {
        List<Task> abandoned = new ArrayList<>();
        synchronized (lanes) {
            closed = true;
            for (Iterator<Map.Entry<K, ArrayDeque<Task>>> it = lanes.entrySet().iterator(); it.hasNext();) {
                Map.Entry<K, ArrayDeque<Task>> entry = it.next();
                ArrayDeque<Task> lane = entry.getValue();
                int keep = started.contains(entry.getKey()) ? 1 : 0;
                while (lane.size() > keep) {
                    abandoned.add(lane.removeLast());
                    unfinished--;
                }
                if (lane.isEmpty()) {
                    it.remove();
                }
            }
        }
        for (int i = abandoned.size() - 1; i >= 0; i--) {
            abandoned.get(i).abandon();
        }
    }

    /** How many tasks were submitted and have not called their {@code done} yet, running or waiting. */
    public int unfinished() {
        synchronized (lanes) {
            return unfinished;
        }
    }

    private void runHead(K key) {
        Task task;
        synchronized (lanes) {
            ArrayDeque<Task> lane = lanes.get(key);
            if (lane == null) {
                // abandoned by close() while it waited for a thread
                return;
            }
            started.add(key);
            task = lane.peek();
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
            task.run(done);
        } catch (RuntimeException e) {
            done.run();
            throw e;
        }
    }

    private void next(K key) {
        boolean more;
        synchronized (lanes) {
            ArrayDeque<Task> lane = lanes.get(key);
            lane.poll();
            unfinished--;
            started.remove(key);
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
