package io.github.pveusbgadget.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A JSON document as plain Java values ({@code Map}, {@code List}, {@code String}, {@code Number}, {@code Boolean},
 * null), read with jackson-core's streaming parser: the release index, {@code pvesh --output-format json}, the nodes'
 * check reports.
 */
public final class JsonTree {
    private JsonTree() {
    }

    /** The document's value; an IOException names what is wrong with it. */
    public static Object parse(String json) throws IOException {
        try (JsonParser parser = new JsonFactory().createParser(json)) {
            Object root = value(parser, parser.nextToken());
            if (parser.nextToken() != null) {
                throw new IOException("more than one value");
            }
            return root;
        }
    }

    /** {@code value} as an object, if it is one. */
    @SuppressWarnings("unchecked")
    public static Optional<Map<String, Object>> object(Object value) {
        return value instanceof Map<?, ?> map ? Optional.of((Map<String, Object>) map) : Optional.empty();
    }

    /** {@code value} as a list, empty if it is none. */
    public static List<Object> list(Object value) {
        return value instanceof List<?> list ? List.copyOf(list) : List.of();
    }

    /** The text of member {@code key}, empty when absent or null. */
    public static String text(Map<String, Object> object, String key) {
        Object value = object.get(key);
        return value == null ? "" : value.toString().strip();
    }

    /** Perl's truth of member {@code key}, as Proxmox's JSON writes booleans ({@code 1}/{@code 0} or true/false). */
    public static boolean truth(Map<String, Object> object, String key) {
        Object value = object.get(key);
        if (value instanceof Boolean b) {
            return b;
        }
        String text = value == null ? "" : value.toString();
        return !text.isEmpty() && !text.equals("0");
    }

    static Object value(JsonParser parser, JsonToken token) throws IOException {
        if (token == null) {
            throw new IOException("empty document");
        }
        switch (token) {
            case START_ARRAY -> {
                List<Object> list = new ArrayList<>();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
                    if (t == null) {
                        throw new IOException("unexpected end of document");
                    }
                    list.add(value(parser, t));
                }
                return list;
            }
            case START_OBJECT -> {
                Map<String, Object> map = new LinkedHashMap<>();
                for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
                    if (t != JsonToken.FIELD_NAME) {
                        throw new IOException("unexpected end of document");
                    }
                    String name = parser.currentName();
                    map.put(name, value(parser, parser.nextToken()));
                }
                return map;
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return parser.getNumberValue();
            }
            case VALUE_STRING -> {
                return parser.getText();
            }
            case VALUE_TRUE, VALUE_FALSE -> {
                return parser.getBooleanValue();
            }
            default -> {
                return null;
            }
        }
    }
}
