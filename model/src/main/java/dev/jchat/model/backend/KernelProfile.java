package dev.jchat.model.backend;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Wall time per backend call, by method name: wraps a backend so that {@code jchat bench train --profile} can say
 * where a training step goes. The calls are synchronous on the CPU, so wall time is the kernel's time.
 */
public final class KernelProfile {

    private final Map<String, long[]> byMethod = new TreeMap<>();

    /** {@code backend}, with every call timed into this profile. */
    public Backend wrap(Backend backend) {
        return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                (proxy, method, args) -> {
                    long start = System.nanoTime();
                    try {
                        return method.invoke(backend, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        long[] entry = byMethod.computeIfAbsent(method.getName(), name -> new long[2]);
                        entry[0] += System.nanoTime() - start;
                        entry[1]++;
                    }
                });
    }

    public void reset() {
        byMethod.clear();
    }

    /** One line per method, slowest first: total ms per step, share, calls per step. */
    public String report(int steps) {
        long total = byMethod.values().stream().mapToLong(e -> e[0]).sum();
        var out = new StringBuilder(String.format(Locale.ROOT, "%-20s %10s %7s %8s%n", "kernel", "ms/step", "share", "calls"));
        byMethod.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0])).forEach(e ->
                out.append(String.format(Locale.ROOT, "%-20s %10.2f %6.1f%% %8d%n", e.getKey(), e.getValue()[0] / 1e6 / steps,
                        100.0 * e.getValue()[0] / Math.max(1, total), e.getValue()[1] / steps)));
        return out.toString();
    }
}
