package io.cameliotos.component.iotos.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class CompletionRelayTest {

    private final ForkJoinPool pool = new ForkJoinPool(4);
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void stop() {
        pool.shutdownNow();
        scheduler.shutdownNow();
    }

    /** When the component stops it shuts its executor down: completions that come after must still run. */
    @Test
    void whatComesAfterTheExecutorShutDownRunsOnTheCallersThread() {
        pool.shutdown();
        CompletionRelay relay = new CompletionRelay(pool, scheduler);
        List<Thread> ranOn = new ArrayList<>();

        relay.execute(() -> ranOn.add(Thread.currentThread()));
        relay.execute(() -> ranOn.add(Thread.currentThread()));

        assertThat(ranOn).containsExactly(Thread.currentThread(), Thread.currentThread());
        assertThat(relay.drainers()).isZero();
    }

    @Test
    void runsEveryTaskExactlyOnceAndStopsDrainingWhenDone() {
        CompletionRelay relay = new CompletionRelay(pool, scheduler);
        AtomicIntegerArray runs = new AtomicIntegerArray(10_000);
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < runs.length(); i++) {
            int n = i;
            relay.execute(() -> {
                runs.incrementAndGet(n);
                ran.incrementAndGet();
            });
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> ran.get() == runs.length());
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.drainers() == 0);
        for (int i = 0; i < runs.length(); i++) {
            assertThat(runs.get(i)).as("runs of task %d", i).isEqualTo(1);
        }
    }

    @Test
    void aTaskThatThrowsAnErrorDoesNotStopTheTasksAfterIt() {
        CompletionRelay relay = new CompletionRelay(pool, scheduler);
        AtomicInteger ran = new AtomicInteger();
        relay.execute(() -> {
            throw new StackOverflowError("a continuation recursed too deep");
        });
        relay.execute(() -> {
            throw new IllegalStateException("a continuation failed");
        });
        relay.execute(ran::incrementAndGet);

        await().atMost(Duration.ofSeconds(5)).until(() -> ran.get() == 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.drainers() == 0);
        relay.execute(ran::incrementAndGet);
        await().atMost(Duration.ofSeconds(5)).until(() -> ran.get() == 2);
    }

    @Test
    void losesNoTaskWhenManyThreadsSubmitWhileDrainersComeAndGo() throws Exception {
        CompletionRelay relay = new CompletionRelay(pool, scheduler);
        AtomicInteger ran = new AtomicInteger();
        int threads = 4;
        int perThread = 50_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> submitters = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread submitter = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    relay.execute(ran::incrementAndGet);
                    if (i % 1000 == 0) {
                        // let the drainers run dry now and then, so they stop and start again
                        Thread.yield();
                    }
                }
            });
            submitter.start();
            submitters.add(submitter);
        }
        start.countDown();
        for (Thread submitter : submitters) {
            submitter.join();
        }

        await().atMost(Duration.ofSeconds(20)).until(() -> ran.get() == threads * perThread);
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.drainers() == 0);
        assertThat(ran.get()).isEqualTo(threads * perThread);
    }

    @Test
    void aTaskThatWaitsForALaterTaskOfTheSameRelayDoesNotDeadlock() throws Exception {
        // a route continuation that sends again and blocks until that send completes, through the same session
        CompletionRelay relay = new CompletionRelay(pool, scheduler);
        CountDownLatch laterRan = new CountDownLatch(1);
        CountDownLatch firstDone = new CountDownLatch(1);
        relay.execute(() -> {
            relay.execute(laterRan::countDown);
            try {
                if (laterRan.await(10, TimeUnit.SECONDS)) {
                    firstDone.countDown();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        assertThat(firstDone.await(10, TimeUnit.SECONDS)).as("the blocked task was released by a second drainer")
                .isTrue();
    }

    @Test
    void slowTasksGetMoreDrainersUpToTheParallelismOfThePool() throws Exception {
        CompletionRelay relay = new CompletionRelay(pool, scheduler);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(8);
        for (int i = 0; i < 8; i++) {
            relay.execute(() -> {
                maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                try {
                    release.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                running.decrementAndGet();
                finished.countDown();
            });
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> running.get() == pool.getParallelism());
        release.countDown();
        assertThat(finished.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(maxRunning.get()).isEqualTo(pool.getParallelism());
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.drainers() == 0);
    }

    @Test
    void aFailingTaskDoesNotStopTheTasksAfterIt() {
        CompletionRelay relay = new CompletionRelay(pool, scheduler);
        AtomicInteger ran = new AtomicInteger();
        relay.execute(() -> {
            throw new IllegalStateException("a broken continuation");
        });
        for (int i = 0; i < 100; i++) {
            relay.execute(ran::incrementAndGet);
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> ran.get() == 100);
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.drainers() == 0);
    }
}
