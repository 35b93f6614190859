package io.cameliotos.component.iotos;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class PointIdSetTest {

    @Test
    void remembersIdsBeyondItsFirstSizeAndForgetsThemOnClear() {
        PointIdSet ids = new PointIdSet(4);
        for (long id = 1; id <= 3000; id += 3) {
            ids.add(id);
        }
        ids.add(1);

        assertThat(ids.contains(1)).isTrue();
        assertThat(ids.contains(2998)).isTrue();
        assertThat(ids.contains(2)).isFalse();
        assertThat(ids.contains(Long.MAX_VALUE)).isFalse();
        ids.clear();
        assertThat(ids.contains(1)).isFalse();
        ids.add(Long.MAX_VALUE);
        assertThat(ids.contains(Long.MAX_VALUE)).isTrue();
    }
}
