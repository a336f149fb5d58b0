package dev.jchat.data.dedup;

import dev.jchat.data.StepStats;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * MinHash phase 3 (datatrove's {@code MinhashDedupCluster}, one task): union-find over every duplicate pair
 * of every band; each cluster keeps one document and every other member's index goes to its task's
 * {@code .remove} file.
 *
 * <p><b>Which document a cluster keeps.</b> datatrove keeps the root of its union-find, which depends on the
 * order the pairs are read in. Here the root of a cluster is always its smallest (file, doc): unions link the
 * larger root under the smaller. The kept document is a function of the cluster alone, whatever the order of
 * pairs, bands or workers; and when tasks are consecutive shards of one ordered input (task t before task
 * t + 1), it is the cluster's first document in input order, the same however the input is cut into tasks.
 *
 * <p>Stats: {@code duplicates} (documents in any pair), {@code to_remove}, {@code clusters} and the value
 * {@code cluster_size} (one observation per cluster). Memory: about 40 bytes per document in any pair.
 */
public final class MinhashDedupCluster {
    private final Path dupsDir;
    private final Path removeDir;

    public MinhashDedupCluster(Path dupsDir, Path removeDir) {
        this.dupsDir = dupsDir;
        this.removeDir = removeDir;
    }

    public StepStats run() throws IOException {
        var stats = new StepStats("minhash_cluster");
        long started = System.nanoTime();
        var forest = new Forest();
        for (Path dups : MinhashFiles.dupsFiles(dupsDir)) {
            try (var in = new LittleEndianReader(dups)) {
                while (in.has(4 * Integer.BYTES)) {
                    long a = key(in.getUint32(), in.getUint32());
                    long b = key(in.getUint32(), in.getUint32());
                    forest.union(forest.node(a), forest.node(b));
                }
            }
        }

        int n = forest.size;
        long[] sortedKeys = Arrays.copyOf(forest.keys, n);
        Arrays.sort(sortedKeys); // (file, doc) order; file and doc are each < 2^32, file < 2^31 in practice
        int[] clusterSize = new int[n];
        LittleEndianWriter out = null;
        long outFile = -1;
        try {
            for (long key : sortedKeys) {
                stats.increment("duplicates");
                int node = forest.node(key);
                int root = forest.find(node);
                clusterSize[root]++;
                if (node != root) {
                    long file = key >>> 32;
                    if (file != outFile) {
                        if (out != null) {
                            out.close();
                        }
                        out = new LittleEndianWriter(MinhashFiles.removeFile(removeDir, (int) file));
                        outFile = file;
                    }
                    out.putUint32(key & 0xFFFFFFFFL);
                    stats.increment("to_remove");
                }
            }
        } finally {
            if (out != null) {
                out.close();
            }
        }
        for (long key : sortedKeys) {
            int node = forest.node(key);
            if (forest.parent[node] == node) {
                stats.increment("clusters");
                stats.observe("cluster_size", clusterSize[node]);
            }
        }
        stats.addTime(System.nanoTime() - started);
        return stats;
    }

    static long key(long file, long doc) {
        return file << 32 | doc;
    }

    /** Union-find over (file, doc) keys, with an open-addressing index from key to node. */
    private static final class Forest {
        long[] keys = new long[1024];
        int[] parent = new int[1024];
        int size;
        private long[] slotKeys = new long[2048];
        private int[] slotNodes = new int[2048];

        Forest() {
            Arrays.fill(slotNodes, -1);
        }

        /** The node of a key, created (as its own root) when new. */
        int node(long key) {
            int mask = slotKeys.length - 1;
            int slot = mix(key) & mask;
            while (slotNodes[slot] >= 0) {
                if (slotKeys[slot] == key) {
                    return slotNodes[slot];
                }
                slot = (slot + 1) & mask;
            }
            if (size == keys.length) {
                keys = Arrays.copyOf(keys, size * 2);
                parent = Arrays.copyOf(parent, size * 2);
            }
            int node = size++;
            keys[node] = key;
            parent[node] = node;
            slotKeys[slot] = key;
            slotNodes[slot] = node;
            if (size * 2 > slotKeys.length) {
                rehash();
            }
            return node;
        }

        int find(int node) {
            int root = node;
            while (parent[root] != root) {
                root = parent[root];
            }
            while (parent[node] != root) { // path compression
                int next = parent[node];
                parent[node] = root;
                node = next;
            }
            return root;
        }

        /** Joins two clusters under the root with the smaller key. */
        void union(int a, int b) {
            int ra = find(a);
            int rb = find(b);
            if (ra == rb) {
                return;
            }
            if (keys[ra] < keys[rb]) {
                parent[rb] = ra;
            } else {
                parent[ra] = rb;
            }
        }

        private void rehash() {
            long[] oldKeys = slotKeys;
            int[] oldNodes = slotNodes;
            slotKeys = new long[oldKeys.length * 2];
            slotNodes = new int[oldNodes.length * 2];
            Arrays.fill(slotNodes, -1);
            int mask = slotKeys.length - 1;
            for (int i = 0; i < oldKeys.length; i++) {
                if (oldNodes[i] >= 0) {
                    int slot = mix(oldKeys[i]) & mask;
                    while (slotNodes[slot] >= 0) {
                        slot = (slot + 1) & mask;
                    }
                    slotKeys[slot] = oldKeys[i];
                    slotNodes[slot] = oldNodes[i];
                }
            }
        }

        private static int mix(long key) {
            long h = key * 0x9E3779B97F4A7C15L;
            return (int) (h ^ (h >>> 32));
        }
    }
}
