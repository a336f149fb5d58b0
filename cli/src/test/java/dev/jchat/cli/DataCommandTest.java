package dev.jchat.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code jchat data} on the sample WARCs, as a user runs it: funnel, files, rerun, bad options. */
class DataCommandTest {

    static Path warcs() {
        String shared = System.getProperty("jchat.shared", "../../shared");
        return Path.of(shared, "data", "warc");
    }

    @Test
    void runsTheWholePipelineAndResumesWithoutRedoingWork(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("data");
        CliTest.Run first = CliTest.run("", "data", "--input", warcs() + "/*.warc.gz", "--out", out.toString(),
                "--workers", "2");
        assertEquals(0, first.exitCode(), first.stderr());
        assertTrue(first.out().contains("filtered/language") && first.out().contains("documents/minhash"), first.out());
        assertTrue(Files.exists(out.resolve("stats.json")));
        assertEquals(5, Files.list(out.resolve("documents")).filter(p -> p.toString().endsWith(".jsonl.zst")).count());

        CliTest.Run stats = CliTest.run("", "data", "stats", out.toString());
        assertEquals(first.out(), stats.out());

        CliTest.Run again = CliTest.run("", "data", "--input", warcs() + "/*.warc.gz", "--out", out.toString());
        assertEquals(0, again.exitCode(), again.stderr());
        assertEquals(first.out().replaceAll("\\s+[0-9.]+\\s+(?=\\S*$)", ""), again.out().replaceAll("\\s+[0-9.]+\\s+(?=\\S*$)", ""));
    }

    @Test
    void unknownStepAndMissingInputAreClearErrors(@TempDir Path dir) {
        CliTest.Run skip = CliTest.run("", "data", "--input", warcs().toString(), "--out", dir.toString(), "--skip", "gopher");
        assertEquals(1, skip.exitCode());
        assertTrue(skip.stderr().contains("--skip gopher: no such step"), skip.stderr());
        CliTest.Run missing = CliTest.run("", "data", "--input", dir.resolve("nope").toString(), "--out", dir.toString());
        assertTrue(missing.stderr().contains("nothing matches"), missing.stderr());
        CliTest.Run stats = CliTest.run("", "data", "stats", dir.toString());
        assertTrue(stats.stderr().contains("stats.json does not exist"), stats.stderr());
    }

    @Test
    void perStepParametersFromAConfigFileAndSetChangeWhatIsKept(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("strict.properties");
        Files.writeString(config, "skip = minhash\ngopher_qual.min_doc_words = 1000000\n");
        CliTest.Run strict = CliTest.run("", "data", "--input", warcs() + "/*.warc.gz", "--out",
                dir.resolve("strict").toString(), "--config", config.toString());
        assertEquals(0, strict.exitCode(), strict.stderr());
        assertTrue(strict.out().contains("gopher_short_doc"), strict.out());
        assertTrue(Files.readString(dir.resolve("strict/stats.json")).contains("dropped_gopher_short_doc"));

        CliTest.Run typo = CliTest.run("", "data", "--input", warcs() + "/*.warc.gz", "--out", dir.resolve("typo").toString(),
                "--set", "gopher_qual.min_words=5");
        assertEquals(1, typo.exitCode());
        assertTrue(typo.stderr().contains("gopher_qual.min_words: no such parameter (known: min_doc_words"), typo.stderr());
    }
}
