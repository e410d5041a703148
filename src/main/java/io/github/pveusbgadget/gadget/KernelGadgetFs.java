package io.github.pveusbgadget.gadget;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** {@link GadgetFs} on the real configfs. */
public final class KernelGadgetFs implements GadgetFs {

    @Override
    public void mkdir(Path dir) throws IOException {
        Files.createDirectory(dir);
    }

    @Override
    public void write(Path attribute, String value) throws IOException {
        // configfs takes an attribute's value from a single write(2); never create a missing attribute.
        byte[] bytes = (value + "\n").getBytes(StandardCharsets.UTF_8);
        try (FileChannel channel = FileChannel.open(attribute, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            int written = channel.write(buffer);
            if (written != bytes.length) {
                throw new IOException(attribute + ": short write of " + written + " of " + bytes.length + " bytes");
            }
        }
    }

    @Override
    public void symlink(Path link, Path target) throws IOException {
        Files.createSymbolicLink(link, target);
    }

    @Override
    public void unlink(Path link) throws IOException {
        Files.delete(link);
    }

    @Override
    public void rmdir(Path dir) throws IOException {
        Files.delete(dir);
    }
}
