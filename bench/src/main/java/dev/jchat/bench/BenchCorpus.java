package dev.jchat.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** Benchmark text: files (optionally .gz) cut into documents of a few KB at line boundaries. */
final class BenchCorpus {
    private BenchCorpus() {}

    static List<String> documents(List<Path> files, int documentChars) throws IOException {
        var documents = new ArrayList<String>();
        for (Path file : files) {
            var in = Files.newInputStream(file);
            var reader = new BufferedReader(new InputStreamReader(
                    file.toString().endsWith(".gz") ? new GZIPInputStream(in) : in, StandardCharsets.UTF_8));
            try (reader) {
                var document = new StringBuilder();
                String line;
                while ((line = reader.readLine()) != null) {
                    document.append(line).append('\n');
                    if (document.length() >= documentChars) {
                        documents.add(document.toString());
                        document.setLength(0);
                    }
                }
                if (!document.isEmpty()) {
                    documents.add(document.toString());
                }
            }
        }
        return documents;
    }

    static long utf8Bytes(List<String> documents) {
        long bytes = 0;
        for (String d : documents) {
            bytes += d.getBytes(StandardCharsets.UTF_8).length;
        }
        return bytes;
    }

    /** The median of three or more values. */
    static double median(double[] values) {
        double[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
