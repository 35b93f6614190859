package io.cameliotos.component.iotos.session;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class TopicFiltersTest {

    @Test
    void matchesLevelsAndWildcards() {
        assertThat(TopicFilters.matches("$IOTOS/a/+", "$IOTOS/a/1")).isTrue();
        assertThat(TopicFilters.matches("$IOTOS/a/+", "$IOTOS/a/1/result")).isFalse();
        assertThat(TopicFilters.matches("$IOTOS/a/+/result", "$IOTOS/a/1/result")).isTrue();
        assertThat(TopicFilters.matches("$IOTOS/#", "$IOTOS/a/1")).isTrue();
        assertThat(TopicFilters.matches("$IOTOS/a/#", "$IOTOS/a")).isTrue();
        assertThat(TopicFilters.matches("$IOTOS/a/1", "$IOTOS/a/12")).isFalse();
    }

    @Test
    void firstLevelWildcardsDoNotMatchDollarTopics() {
        assertThat(TopicFilters.matches("#", "$IOTOS/a")).isFalse();
        assertThat(TopicFilters.matches("+/a", "$IOTOS/a")).isFalse();
        assertThat(TopicFilters.matches("#", "plain/a")).isTrue();
    }

    @Test
    void sharedSubscriptionsMatchOnTheirFilter() {
        assertThat(TopicFilters.matches("$share/g1/$IOTOS/a/+", "$IOTOS/a/1")).isTrue();
        assertThat(TopicFilters.shareGroup("$share/g1/$IOTOS/a/+")).isEqualTo("g1");
        assertThat(TopicFilters.shareGroup("$IOTOS/a/+")).isNull();
    }

    @Test
    void coverage() {
        assertThat(TopicFilters.covers("$IOTOS/a/+", "$IOTOS/a/1")).isTrue();
        assertThat(TopicFilters.covers("$IOTOS/a/1", "$IOTOS/a/+")).isFalse();
        assertThat(TopicFilters.covers("$IOTOS/#", "$IOTOS/a/+/result")).isTrue();
        assertThat(TopicFilters.covers("$IOTOS/a/+", "$IOTOS/a/#")).isFalse();
        assertThat(TopicFilters.covers("#", "$IOTOS/a")).isFalse();
        assertThat(TopicFilters.covers("+/a", "$IOTOS/a")).isFalse();
        assertThat(TopicFilters.covers("$share/g/$IOTOS/a/+", "$IOTOS/a/1")).isFalse();
        assertThat(TopicFilters.covers("$share/g/$IOTOS/a/+", "$share/g/$IOTOS/a/1")).isTrue();
    }
}
