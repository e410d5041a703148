package io.github.pveusbgadget.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;

/** The {@code --json} form of the commands: one array of objects, pretty-printed, ending with a newline. */
final class JsonOutput {
    /** Writes the fields of one row's object. */
    interface Fields<T> {
        void write(JsonGenerator json, T row) throws IOException;
    }

    private JsonOutput() {
    }

    static <T> void printArray(PrintWriter out, List<T> rows, Fields<T> fields) {
        // The generator must not close the command's output: the final newline comes after it.
        try (JsonGenerator json = new JsonFactory().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                .createGenerator(out)) {
            json.useDefaultPrettyPrinter();
            json.writeStartArray();
            for (T row : rows) {
                json.writeStartObject();
                fields.write(json, row);
                json.writeEndObject();
            }
            json.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.println();
    }
}
