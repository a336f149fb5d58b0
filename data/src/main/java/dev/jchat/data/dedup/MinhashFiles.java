package dev.jchat.data.dedup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where the MinHash phases put their files under a working directory, and what the files hold. All are
 * headerless little-endian fixed-width records, byte for byte datatrove's ({@code struct} formats given):
 *
 * <pre>
 * signatures/bucket_{b:03d}/{task:05d}.minhash.sig   phase 1, one per band and task
 *     hashesPerBucket × u64 band hashes, u32 document index        "&lt;8QI", 68 bytes
 *     sorted ascending by (hashes…, document index); a document without a signature has no record
 * buckets/{b:05d}_00.dups                            phase 2, one per band
 *     u32 file, u32 doc, u32 file, u32 doc                          "&lt;4I", 16 bytes
 *     a duplicate pair: the band signature of the second equals that of the first ("file" = task)
 * remove/{file:06d}.remove                          phase 3, only for tasks that lose documents
 *     u32 document index, ascending                                 "&lt;I", 4 bytes
 * </pre>
 *
 * A document index is the document's position in its task's input (0-based), as phase 4 re-reads it.
 */
public final class MinhashFiles {
    public static final String SIGNATURES = "signatures";
    public static final String BUCKETS = "buckets";
    public static final String REMOVE = "remove";

    private static final Pattern SIG_FILE = Pattern.compile("(\\d+)\\.minhash\\.sig");

    private MinhashFiles() {}

    public static Path bucketDir(Path signatureDir, int bucket) {
        return signatureDir.resolve("bucket_%03d".formatted(bucket));
    }

    public static Path signatureFile(Path signatureDir, int bucket, int task) {
        return bucketDir(signatureDir, bucket).resolve("%05d.minhash.sig".formatted(task));
    }

    public static Path dupsFile(Path dupsDir, int bucket) {
        return dupsDir.resolve("%05d_00.dups".formatted(bucket));
    }

    public static Path removeFile(Path removeDir, int task) {
        return removeDir.resolve("%06d.remove".formatted(task));
    }

    /** A band's signature files with their task numbers (from the file names), by task. */
    static List<TaskFile> signatureFiles(Path signatureDir, int bucket) throws IOException {
        Path dir = bucketDir(signatureDir, bucket);
        var out = new ArrayList<TaskFile>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                var m = SIG_FILE.matcher(p.getFileName().toString());
                if (m.matches()) {
                    out.add(new TaskFile(Integer.parseInt(m.group(1)), p));
                }
            }
        }
        out.sort(Comparator.comparingInt(TaskFile::task));
        return out;
    }

    /** All {@code .dups} files of a directory, by name. */
    static List<Path> dupsFiles(Path dupsDir) throws IOException {
        if (!Files.isDirectory(dupsDir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(dupsDir)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".dups")).sorted().toList();
        }
    }

    record TaskFile(int task, Path path) {}
}
