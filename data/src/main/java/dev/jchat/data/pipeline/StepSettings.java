package dev.jchat.data.pipeline;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Per-step parameters set by name, {@code <step>.<parameter> = value} (from a config file or {@code --set}), on top
 * of FineWeb's defaults. A parameter is a component of the step's parameter record, spelled in snake case as
 * datatrove spells its arguments ({@code gopher_qual.min_doc_words = 100}); {@code <step>.preset} picks another
 * named default first ({@code head} for datatrove's later semantics). Values: numbers, {@code true}/{@code false},
 * enum names, durations ({@code 250ms}, {@code 2s}), comma-separated lists, and lists of pairs
 * {@code n:fraction} for n-gram thresholds. Unknown steps, parameters and bad values fail before any work starts.
 */
public final class StepSettings {

    public static final StepSettings NONE = new StepSettings(Map.of());

    private final Map<String, Map<String, String>> byStep;

    private StepSettings(Map<String, Map<String, String>> byStep) {
        this.byStep = byStep;
    }

    /** Settings from {@code step.parameter → value} pairs; {@code origin} names where they came from, for errors. */
    public static StepSettings of(Map<String, String> settings, String origin) {
        var byStep = new TreeMap<String, Map<String, String>>();
        settings.forEach((key, value) -> {
            int dot = key.indexOf('.');
            if (dot <= 0 || dot == key.length() - 1) {
                throw new IllegalArgumentException(origin + ": '" + key + "' is not of the form <step>.<parameter>");
            }
            byStep.computeIfAbsent(key.substring(0, dot), s -> new TreeMap<>()).put(key.substring(dot + 1), value.strip());
        });
        return new StepSettings(byStep);
    }

    /** Steps that have settings, to check against the steps a pipeline has. */
    public Set<String> steps() {
        return byStep.keySet();
    }

    /** The raw value of {@code step.parameter}, or null. */
    public String raw(String step, String parameter) {
        return byStep.getOrDefault(step, Map.of()).get(parameter);
    }

    /** The preset named for {@code step} ({@code <step>.preset}), or {@code fallback}. */
    public String preset(String step, String fallback) {
        String preset = raw(step, "preset");
        return preset == null ? fallback : preset.toLowerCase(Locale.ROOT);
    }

    /**
     * {@code defaults} with the settings of {@code step} applied to its record components. {@code ignored} are
     * parameters handled by the caller (such as {@code preset}).
     */
    public <R extends Record> R apply(String step, R defaults, Collection<String> ignored) {
        Map<String, String> settings = byStep.getOrDefault(step, Map.of());
        RecordComponent[] components = defaults.getClass().getRecordComponents();
        Object[] values = new Object[components.length];
        var known = new java.util.LinkedHashMap<String, RecordComponent>();
        for (int i = 0; i < components.length; i++) {
            values[i] = read(components[i], defaults);
            known.put(snakeCase(components[i].getName()), components[i]);
        }
        for (var setting : settings.entrySet()) {
            if (ignored.contains(setting.getKey())) {
                continue;
            }
            RecordComponent component = known.get(setting.getKey());
            if (component == null) {
                var names = new ArrayList<>(known.keySet());
                names.addAll(ignored);
                throw new IllegalArgumentException(step + "." + setting.getKey() + ": no such parameter (known: "
                        + String.join(", ", names) + ")");
            }
            int index = Arrays.asList(components).indexOf(component);
            try {
                values[index] = convert(component.getGenericType(), setting.getValue());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(step + "." + setting.getKey() + " = " + setting.getValue() + ": "
                        + e.getMessage(), e);
            }
        }
        return construct(defaults.getClass(), components, values, step);
    }

    static String snakeCase(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replaceAll("([A-Z])([A-Z][a-z])", "$1_$2")
                .toLowerCase(Locale.ROOT);
    }

    private static Object read(RecordComponent component, Record record) {
        try {
            return component.getAccessor().invoke(record);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + component.getName(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static <R extends Record> R construct(Class<?> type, RecordComponent[] components, Object[] values,
                                                  String step) {
        Class<?>[] types = Arrays.stream(components).map(RecordComponent::getType).toArray(Class<?>[]::new);
        try {
            Constructor<?> canonical = type.getDeclaredConstructor(types);
            canonical.setAccessible(true);
            return (R) canonical.newInstance(values);
        } catch (InvocationTargetException e) {
            throw new IllegalArgumentException(step + ": " + e.getCause().getMessage(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.getSimpleName(), e);
        }
    }

    private static Object convert(Type type, String text) {
        if (type instanceof ParameterizedType generic) {
            Class<?> raw = (Class<?>) generic.getRawType();
            Type element = generic.getActualTypeArguments()[0];
            List<Object> items = Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty())
                    .map(item -> convertElement(element, item)).collect(Collectors.toList());
            if (Set.class.isAssignableFrom(raw)) {
                return Set.copyOf(new LinkedHashSet<>(items));
            }
            if (List.class.isAssignableFrom(raw)) {
                return List.copyOf(items);
            }
            throw new IllegalArgumentException("cannot be set from a config (type " + type.getTypeName() + ")");
        }
        return scalar((Class<?>) type, text);
    }

    /** List elements: code points for integer sets (stop characters), {@code a:b} for small records. */
    private static Object convertElement(Type type, String text) {
        Class<?> element = (Class<?>) type;
        if (element == Integer.class && text.codePointCount(0, text.length()) == 1 && !Character.isDigit(text.charAt(0))) {
            return text.codePointAt(0);
        }
        if (element.isRecord()) {
            RecordComponent[] parts = element.getRecordComponents();
            String[] fields = text.split(":");
            if (fields.length != parts.length) {
                throw new IllegalArgumentException("'" + text + "' needs " + parts.length + " ':'-separated values ("
                        + Arrays.stream(parts).map(p -> snakeCase(p.getName())).collect(Collectors.joining(":")) + ")");
            }
            Object[] values = new Object[parts.length];
            for (int i = 0; i < parts.length; i++) {
                values[i] = scalar(parts[i].getType(), fields[i].strip());
            }
            return construct(element, parts, values, element.getSimpleName());
        }
        return scalar(element, text);
    }

    private static Object scalar(Class<?> type, String text) {
        try {
            if (type == int.class || type == Integer.class) {
                return Integer.parseInt(text.replace("_", ""));
            }
            if (type == long.class || type == Long.class) {
                return Long.parseLong(text.replace("_", ""));
            }
            if (type == double.class || type == Double.class) {
                return Double.parseDouble(text);
            }
            if (type == float.class || type == Float.class) {
                return Float.parseFloat(text);
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a number");
        }
        if (type == boolean.class || type == Boolean.class) {
            return switch (text.toLowerCase(Locale.ROOT)) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new IllegalArgumentException("expected true or false");
            };
        }
        if (type == String.class) {
            return text;
        }
        if (type == Duration.class) {
            return duration(text);
        }
        if (type.isEnum()) {
            for (Object constant : type.getEnumConstants()) {
                if (((Enum<?>) constant).name().equalsIgnoreCase(text)) {
                    return constant;
                }
            }
            throw new IllegalArgumentException("expected one of " + Arrays.toString(type.getEnumConstants()));
        }
        throw new IllegalArgumentException("cannot be set from a config (type " + type.getSimpleName() + ")");
    }

    private static Duration duration(String text) {
        try {
            if (text.endsWith("ms")) {
                return Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2).strip()));
            }
            if (text.endsWith("s")) {
                return Duration.ofMillis(Math.round(Double.parseDouble(text.substring(0, text.length() - 1).strip()) * 1000));
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a duration (e.g. 250ms, 2s)");
        }
        throw new IllegalArgumentException("not a duration (e.g. 250ms, 2s)");
    }
}
