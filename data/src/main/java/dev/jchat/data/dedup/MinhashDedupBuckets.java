package dev.jchat.data.dedup;

import dev.jchat.data.StepStats;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;

/**
 * MinHash phase 2 (datatrove's {@code MinhashDedupBuckets}, one worker per band, no index): a k-way heap
 * merge of every task's sorted signature file of one band; each record whose band hashes equal those of the
 * record just before it makes a duplicate pair (previous file, previous doc, this file, this doc). A group of
 * k equal signatures thus gives the chain of its k − 1 neighbours, in (file, doc) order.
 *
 * <p>Stats: {@code total_matches} (pairs written). Bands are independent: run them in parallel.
 */
public final class MinhashDedupBuckets {
    private final MinhashConfig config;
    private final Path signatureDir;
    private final Path dupsDir;

    public MinhashDedupBuckets(MinhashConfig config, Path signatureDir, Path dupsDir) {
        this.config = config;
        this.signatureDir = signatureDir;
        this.dupsDir = dupsDir;
    }

    /** Merges one band's signature files (the file id of a pair is the task number) into its .dups file. */
    public StepStats run(int bucket) throws IOException {
        var stats = new StepStats("minhash_buckets");
        long started = System.nanoTime();
        var streams = new ArrayList<SigStream>();
        try {
            for (var file : MinhashFiles.signatureFiles(signatureDir, bucket)) {
                streams.add(new SigStream(file.task(), file.path(), config.hashesPerBucket()));
            }
            try (var out = new LittleEndianWriter(MinhashFiles.dupsFile(dupsDir, bucket))) {
                long[] lastSig = new long[config.hashesPerBucket()];
                long[] last = {-1, -1}; // file, doc; file -1 = nothing yet
                SigStream.merge(streams, s -> {
                    if (last[0] >= 0 && Arrays.equals(lastSig, s.sig)) {
                        out.putUint32(last[0]);
                        out.putUint32(last[1]);
                        out.putUint32(s.file);
                        out.putUint32(s.doc);
                        stats.increment("total_matches");
                    } else {
                        System.arraycopy(s.sig, 0, lastSig, 0, lastSig.length);
                    }
                    last[0] = s.file;
                    last[1] = s.doc;
                });
            }
        } finally {
            for (SigStream s : streams) {
                s.close();
            }
        }
        stats.addTime(System.nanoTime() - started);
        return stats;
    }
}
