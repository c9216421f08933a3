package net.saharasync.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {
    @Test
    void aRunOfOneSubcommandMakesOnlyThatOneAndHelpOrATypoMakesThemAll() {
        assertThat(Main.commandLine("sync").getSubcommands().keySet()).containsExactly("sync");
        assertThat(Main.commandLine("status").getSubcommands().keySet()).containsExactly("status");
        String[] all = {"up", "host", "user", "join", "volume", "sync", "status", "leave", "chunk", "help"};
        assertThat(Main.commandLine("help").getSubcommands().keySet()).containsExactly(all);
        assertThat(Main.commandLine("--help").getSubcommands().keySet()).containsExactly(all);
        assertThat(Main.commandLine("snyc").getSubcommands().keySet()).containsExactly(all);
        // The version needs none, and still prints.
        CommandLine version = Main.commandLine("--version");
        assertThat(version.getSubcommands()).isEmpty();
        StringWriter v = new StringWriter();
        version.setOut(new PrintWriter(v));
        assertThat(version.execute("--version")).isZero();
        assertThat(v.toString()).startsWith("sahara ");
        assertThat(Main.commandLine("-V").getSubcommands()).isEmpty();

        StringWriter out = new StringWriter();
        CommandLine help = Main.commandLine("help");
        help.setOut(new PrintWriter(out));
        assertThat(help.execute("help")).isZero();
        for (String c : all) assertThat(out.toString()).contains("  " + c + " ");
    }
}
