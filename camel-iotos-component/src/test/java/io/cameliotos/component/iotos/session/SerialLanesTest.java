package io.cameliotos.component.iotos.session;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class SerialLanesTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(4);

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void runsOneKeyInOrderAndOneAtATimeEvenWhenTasksFinishAsynchronously() {
        SerialLanes<String> lanes = new SerialLanes<>(pool);
        List<Integer> order = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        for (int i = 0; i < 200; i++) {
            int n = i;
            lanes.submit("point", done -> {
                maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                order.add(n);
                // finish on another thread, as an asynchronous route would
                pool.execute(() -> {
                    running.decrementAndGet();
                    done.run();
                });
            });
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> order.size() == 200);
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            expected.add(i);
        }
        assertThat(order).isEqualTo(expected);
        assertThat(maxRunning.get()).isEqualTo(1);
    }

    @Test
    void differentKeysRunInParallel() {
        SerialLanes<String> lanes = new SerialLanes<>(pool);
        List<Runnable> blocked = Collections.synchronizedList(new ArrayList<>());
        lanes.submit("a", blocked::add);
        lanes.submit("b", blocked::add);

        await().atMost(Duration.ofSeconds(5)).until(() -> blocked.size() == 2);
        blocked.forEach(Runnable::run);
    }

    @Test
    void countsTasksUntilTheyAreDoneWhetherRunningOrWaiting() {
        SerialLanes<String> lanes = new SerialLanes<>(pool);
        List<Runnable> laneA = Collections.synchronizedList(new ArrayList<>());
        List<Runnable> laneB = Collections.synchronizedList(new ArrayList<>());
        lanes.submit("a", laneA::add);
        lanes.submit("a", laneA::add);
        lanes.submit("b", laneB::add);

        await().atMost(Duration.ofSeconds(5)).until(() -> laneA.size() == 1 && laneB.size() == 1);
        assertThat(lanes.unfinished()).as("two running, one waiting").isEqualTo(3);
        Runnable firstOfA = laneA.get(0);
        firstOfA.run();
        firstOfA.run();
        assertThat(lanes.unfinished()).as("a second done call counts once").isEqualTo(2);
        await().atMost(Duration.ofSeconds(5)).until(() -> laneA.size() == 2);
        laneA.get(1).run();
        laneB.get(0).run();
        assertThat(lanes.unfinished()).isZero();
    }

    @Test
    void closingAbandonsTheWaitingTasksInOrderAndLetsTheRunningOnesFinish() {
        SerialLanes<String> lanes = new SerialLanes<>(pool);
        List<Runnable> running = Collections.synchronizedList(new ArrayList<>());
        List<String> abandoned = Collections.synchronizedList(new ArrayList<>());
        List<String> ran = Collections.synchronizedList(new ArrayList<>());
        for (String name : List.of("a1", "a2", "a3")) {
            lanes.submit("a", new SerialLanes.Task() {
                @Override
                public void run(Runnable done) {
                    ran.add(name);
                    running.add(done);
                }

                @Override
                public void abandon() {
                    abandoned.add(name);
                }
            });
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> running.size() == 1);

        lanes.close();
        assertThat(abandoned).containsExactly("a2", "a3");
        assertThat(lanes.unfinished()).as("the running one").isEqualTo(1);
        lanes.submit("b", new SerialLanes.Task() {
            @Override
            public void run(Runnable done) {
                ran.add("b1");
                done.run();
            }

            @Override
            public void abandon() {
                abandoned.add("b1");
            }
        });
        running.get(0).run();

        assertThat(abandoned).containsExactly("a2", "a3", "b1");
        assertThat(ran).containsExactly("a1");
        assertThat(lanes.unfinished()).isZero();
    }

    @Test
    void closingAbandonsAFirstTaskStillWaitingForAThread() {
        List<Runnable> handedOver = new ArrayList<>();
        SerialLanes<String> lanes = new SerialLanes<>(handedOver::add);
        List<String> seen = new ArrayList<>();
        lanes.submit("a", new SerialLanes.Task() {
            @Override
            public void run(Runnable done) {
                seen.add("ran");
                done.run();
            }

            @Override
            public void abandon() {
                seen.add("abandoned");
            }
        });

        lanes.close();
        handedOver.forEach(Runnable::run);

        assertThat(seen).containsExactly("abandoned");
        assertThat(lanes.unfinished()).isZero();
    }
}
