package net.saharasync.merkle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PathsTest {
    @Test
    void parentJoinAndSplitAgree() {
        assertThat(Paths.parent("a/b/c.txt")).isEqualTo("a/b");
        assertThat(Paths.parent("c.txt")).isEmpty();
        assertThat(Paths.join(Paths.parent("a/b/c.txt"), "c.txt")).isEqualTo("a/b/c.txt");
        assertThat(Paths.join("", "c.txt")).isEqualTo("c.txt");
        assertThat(Paths.split("a/b/c.txt")).isEqualTo(List.of("a", "b", "c.txt"));
    }

    @Test
    void splitRefusesPathsThatCouldClimbOut() {
        for (String bad : List.of("", "/a", "a//b", "a/../b", "..", "a/.")) {
            assertThatThrownBy(() -> Paths.split(bad)).as(bad).isInstanceOf(MalformedObjectException.class);
        }
    }
}
