package io.github.pveusbgadget.gadget;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The write operations on configfs. configfs is not an ordinary file system (mkdir makes attribute files, rmdir
 * of a populated gadget directory works, writes are validated), so these go through one seam that a test fake can
 * give the kernel's behaviour; reads use {@link java.nio.file.Files} directly.
 */
public interface GadgetFs {
    void mkdir(Path dir) throws IOException;

    /** Writes {@code value} to an existing attribute in one write, as {@code echo value > attribute} does. */
    void write(Path attribute, String value) throws IOException;

    void symlink(Path link, Path target) throws IOException;

    void unlink(Path link) throws IOException;

    void rmdir(Path dir) throws IOException;
}
