package net.saharasync.clientd.ignore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class IgnoreRulesTest {
    static IgnoreRules with(String file) throws IOException {
        return IgnoreRules.withFile(new ByteArrayInputStream(file.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void gitignoreSyntaxOnTopOfTheDefaults() throws IOException {
        IgnoreRules r = with("build/\n*.log\n!keep.swp\n");
        assertThat(r.ignored("build", true)).isTrue();
        assertThat(r.ignored("build", false)).as("a file named build: the rule is for folders").isFalse();
        assertThat(r.ignored("a/b/x.log", false)).isTrue();
        assertThat(r.ignored("notes.swp", false)).isTrue();
        assertThat(r.ignored("keep.swp", false)).as("negated default").isFalse();
        assertThat(r.ignored(".sahara", true)).isTrue();
        assertThat(r.ignored(".sahara", false)).isTrue();
        assertThat(r.ignored("x/.sahara", true)).as("only the root's is the client's").isFalse();
        // A name like the client's temp files is the user's: only keyed names are the client's (TempNames).
        assertThat(r.ignored("x/.sahara-tmp-1", false)).isFalse();
    }

    @Test
    void aReportedChangeIsIgnoredOnlyWhenItCannotMatter() throws IOException {
        IgnoreRules r = with("build/\n*.log\n");
        // Inside an ignored folder, at any depth.
        assertThat(r.ignoredEitherWay("build/classes/A.class")).isTrue();
        assertThat(r.ignoredEitherWay("src/build/out.o")).isTrue();
        // Ignored as a file and as a folder alike.
        assertThat(r.ignoredEitherWay("src/.main.c.swp")).isTrue();
        assertThat(r.ignoredEitherWay("x.log")).isTrue();
        // "build" itself may have been a file (a deletion does not say): it may matter.
        assertThat(r.ignoredEitherWay("build")).isFalse();
        assertThat(r.ignoredEitherWay("docs/build")).isFalse();
        assertThat(r.ignoredEitherWay("src/main.c")).isFalse();
        assertThat(r.ignoredEitherWay(".saharaignore")).isFalse();
        // Known to be a folder, or known to be a file.
        assertThat(r.ignoredWhere("build", true)).isTrue();
        assertThat(r.ignoredWhere("build", false)).isFalse();
        assertThat(r.ignoredWhere("build/x", false)).isTrue();
        assertThat(r.ignoredWhere("src", true)).isFalse();
    }
}
