package io.cameliotos.component.iotos;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RecentControlsTest {

    @Test
    void forgetsTheOldestBeyondItsCount() {
        RecentControls recent = new RecentControls(3);
        for (int i = 1; i <= 4; i++) {
            recent.remember(1963, "r" + i, new byte[] { (byte) i });
        }

        assertThat(recent.previous(1963, "r1")).isNull();
        assertThat(recent.previous(1963, "r2")).containsExactly(2);
        assertThat(recent.previous(1963, "r4")).containsExactly(4);
    }

    /** Each answer echoes its control's value: large controls must not hold the count's worth of them. */
    @Test
    void forgetsTheOldestBeyondItsBytesAndKeepsTheNewestHoweverLarge() {
        RecentControls recent = new RecentControls(10_000);
        int answer = 1024 * 1024;
        int count = (int) (RecentControls.MAX_BYTES / answer) + 4;
        for (int i = 0; i < count; i++) {
            recent.remember(1963, "r" + i, new byte[answer]);
        }

        assertThat(recent.previous(1963, "r0")).isNull();
        assertThat(recent.previous(1963, "r3")).isNull();
        assertThat(recent.previous(1963, "r" + (count - 1))).hasSize(answer);
        assertThat(recent.previous(1963, "r" + (count - 15))).hasSize(answer);

        RecentControls small = new RecentControls(10);
        small.remember(1963, "huge", new byte[(int) RecentControls.MAX_BYTES + 1]);
        assertThat(small.previous(1963, "huge")).isNotNull();
    }

    @Test
    void aRepeatedKeyTakesTheNewAnswerInItsPlace() {
        RecentControls recent = new RecentControls(2);
        recent.remember(1963, "r1", RecentControls.ANSWERED_BY_ROUTE);
        recent.remember(1963, "r2", new byte[] { 2 });
        recent.remember(1963, "r1", new byte[] { 1 });

        assertThat(recent.previous(1963, "r1")).containsExactly(1);
        assertThat(recent.previous(1963, "r2")).containsExactly(2);
    }
}
