package dev.jchat.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The counting phase of BPE training: splits documents with the pre-tokenizer and counts each distinct
 * chunk (as UTF-8 bytes). The caller's thread feeds documents; with more than one thread, batches go
 * round-robin to workers that each count into their own table, and the tables are added up at the end.
 *
 * <p>The added-up table keeps the {@code maxUniqueChunks} most frequent chunks (see
 * {@link ChunkCounts#pruneTo}). Counts are exact, and so the same for any thread count, unless a thread's
 * table grows past twice that: then it drops its rarest chunks on the spot to bound memory, and what it
 * drops depends on which documents it saw. The round-robin hand-out keeps even that deterministic for a
 * given thread count. Both kinds of drop are counted in {@link Result#dropped}.
 */
final class ChunkCounter {
    /** Documents go to a worker in batches of about this many chars, so hand-off costs little. */
    private static final int BATCH_CHARS = 1 << 16;
    /** Batches a worker may have waiting: bounds the memory of documents in flight. */
    private static final int QUEUE_BATCHES = 4;
    private static final List<String> END = List.of();

    private final PreTokenizer preTokenizer;
    private final int maxUniqueChunks;
    private final Worker[] workers;
    private final List<BlockingQueue<List<String>>> queues = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private volatile Throwable failure;
    private List<String> batch = new ArrayList<>();
    private long batchChars;
    private long batches;
    private long documents;
    private long chars;

    /** What counting produced: the chunk table and what went into it. */
    record Result(ChunkCounts counts, long documents, long chars, long occurrences, ChunkCounts.Dropped dropped) {}

    ChunkCounter(PreTokenizer preTokenizer, int threadCount, int maxUniqueChunks) {
        if (threadCount < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threadCount);
        }
        this.preTokenizer = preTokenizer;
        this.maxUniqueChunks = maxUniqueChunks;
        this.workers = new Worker[threadCount];
        for (int i = 0; i < threadCount; i++) {
            workers[i] = new Worker();
        }
        if (threadCount > 1) {
            for (Worker worker : workers) {
                var queue = new ArrayBlockingQueue<List<String>>(QUEUE_BATCHES);
                queues.add(queue);
                threads.add(Thread.ofPlatform().name("bpe-count-" + threads.size()).daemon()
                        .start(() -> worker.drain(queue)));
            }
        }
    }

    /**
     * Counts the chunks of {@code text[0, length)}; returns whether a batch was completed just now (a good
     * moment to report progress).
     */
    boolean add(String text, int length) {
        documents++;
        chars += length;
        batchChars += length;
        if (queues.isEmpty()) {
            workers[0].count(text, length);
        } else {
            batch.add(length == text.length() ? text : text.substring(0, length));
        }
        if (batchChars < BATCH_CHARS) {
            return false;
        }
        if (!queues.isEmpty()) {
            handOn();
        }
        batchChars = 0;
        return true;
    }

    private void handOn() {
        if (failure != null) {
            throw new IllegalStateException("chunk counting failed: " + failure.getMessage(), failure);
        }
        put(queues.get((int) (batches++ % queues.size())), batch);
        batch = new ArrayList<>(batch.size() + batch.size() / 4); // batches of similar documents: skip regrowth
    }

    /** Waits for the workers and adds up their tables. */
    Result finish() {
        if (!queues.isEmpty()) {
            try {
                if (!batch.isEmpty()) {
                    handOn();
                }
                for (var queue : queues) {
                    put(queue, END);
                }
                for (Thread thread : threads) {
                    thread.join();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abandon();
                throw new IllegalStateException("interrupted while counting chunks", e);
            } catch (RuntimeException e) {
                abandon();
                throw e;
            }
        }
        if (failure != null) {
            throw new IllegalStateException("chunk counting failed: " + failure.getMessage(), failure);
        }
        Worker largest = workers[0];
        for (Worker worker : workers) {
            largest = worker.counts.size() > largest.counts.size() ? worker : largest;
        }
        ChunkCounts.Dropped dropped = new ChunkCounts.Dropped(0, 0);
        for (Worker worker : workers) {
            dropped = dropped.plus(worker.dropped);
            if (worker != largest) {
                largest.counts.addAll(worker.counts);
                worker.counts = null;
            }
        }
        ChunkCounts counts = largest.counts;
        dropped = dropped.plus(counts.pruneTo(maxUniqueChunks));
        return new Result(counts, documents, chars, counts.occurrences(), dropped);
    }

    /** Stops the workers without waiting for their results (after a failure on the feeding side). */
    void abandon() {
        failure = failure != null ? failure : new IllegalStateException("abandoned");
        for (var queue : queues) {
            queue.clear();
            queue.offer(END);
        }
    }

    private void put(BlockingQueue<List<String>> queue, List<String> item) {
        try {
            queue.put(item);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandon();
            throw new IllegalStateException("interrupted while counting chunks", e);
        }
    }

    /** One thread's table, and the piece sink that fills it. */
    private final class Worker implements PreTokenizer.PieceSink {
        ChunkCounts counts = new ChunkCounts();
        ChunkCounts.Dropped dropped = new ChunkCounts.Dropped(0, 0);
        private String text;
        private byte[] utf8 = new byte[1024];

        void drain(BlockingQueue<List<String>> queue) {
            try {
                for (List<String> docs = queue.take(); docs != END; docs = queue.take()) {
                    if (failure != null) {
                        continue;
                    }
                    try {
                        for (String doc : docs) {
                            count(doc, doc.length());
                        }
                    } catch (RuntimeException | Error e) {
                        failure = e;
                    }
                }
            } catch (InterruptedException e) {
                failure = e;
            }
        }

        void count(String doc, int length) {
            text = doc;
            preTokenizer.split(doc, 0, length, this);
            text = null;
            if (counts.size() > 2L * maxUniqueChunks) {
                dropped = dropped.plus(counts.pruneTo(maxUniqueChunks));
            }
        }

        @Override
        public void piece(int start, int end) {
            int needed = 3 * (end - start);
            if (utf8.length < needed) {
                utf8 = new byte[Math.max(needed, utf8.length * 2)];
            }
            int n = Utf8.encode(text, start, end, utf8);
            counts.add(utf8, 0, n, 1);
        }
    }
}
