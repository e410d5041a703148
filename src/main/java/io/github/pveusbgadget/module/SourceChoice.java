package io.github.pveusbgadget.module;

import java.util.Optional;

/**
 * Where {@code prepare-source.sh} would take {@code dummy_hcd.c} from for a kernel.
 *
 * @param kind        which rule of its search order
 * @param description one line for people: the path, or what is missing
 * @param version     the upstream version of that source, where its name or tree says it
 */
public record SourceChoice(Kind kind, String description, Optional<UpstreamVersion> version) {

    /** The rules of {@code prepare-source.sh}, first match wins, and the two ways it can end without one. */
    public enum Kind {
        /** {@code DUMMY_HCD_SOURCE}: a file, a kernel tree or a tarball. */
        GIVEN,
        /** {@code /usr/src/linux-source-X.Y.tar.*} or {@code /usr/src/linux-source-X.Y/}. */
        LINUX_SOURCE,
        /** The download cache {@code /var/cache/pve-usb-gadget-dummy-hcd/vX.Y.Z/dummy_hcd.c}. */
        CACHE,
        /** A download, which needs the network (a Proxmox host often has none to the kernel's git host). */
        DOWNLOAD,
        /** {@code DUMMY_HCD_SOURCE} names something unusable: the build fails, with no fallback. */
        BAD_GIVEN,
        /** Nothing: the build fails. */
        NONE
    }

    /** Whether a build could start from it (a download may still fail). */
    public boolean usable() {
        return kind != Kind.BAD_GIVEN && kind != Kind.NONE;
    }
}
