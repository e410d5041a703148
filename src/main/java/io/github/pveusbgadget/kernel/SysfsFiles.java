package io.github.pveusbgadget.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reading the small text attributes of sysfs and configfs, where files come and go under our feet. */
public final class SysfsFiles {
    private SysfsFiles() {
    }

    /** The attribute's value without its trailing newline, or empty when it does not exist (any more). */
    public static Optional<String> read(Path attribute) {
        try {
            return Optional.of(stripNewline(Files.readString(attribute, StandardCharsets.UTF_8)));
        } catch (NoSuchFileException | NotDirectoryException e) {
            return Optional.empty();
        } catch (IOException e) {
            // Unreadable attributes (device gone mid-read, EIO) are treated as absent: callers decide what is missing.
            return Optional.empty();
        }
    }

    /** The entries of {@code dir} sorted by name, or none when it does not exist. */
    public static List<Path> list(Path dir) {
        List<Path> entries = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return entries;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
            stream.forEach(entries::add);
        } catch (NoSuchFileException e) {
            return entries;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        entries.sort(null);
        return entries;
    }

    private static String stripNewline(String value) {
        return value.endsWith("\n") ? value.substring(0, value.length() - 1) : value;
    }
}
