package io.github.pveusbgadget.kernel;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The mount table as {@code /proc/self/mountinfo} describes it. */
public final class MountTable {
    /** One mount: the device number of its source, where it is mounted, and its file system type. */
    public record Mount(String deviceNumber, String mountPoint, String fsType) {
    }

    private final List<Mount> mounts;

    private MountTable(List<Mount> mounts) {
        this.mounts = mounts;
    }

    /** Reads the table; an unreadable one is empty (the checks that use it then see nothing mounted). */
    public static MountTable read(Path mountInfo) {
        List<Mount> mounts = new ArrayList<>();
        for (String line : SysfsFiles.read(mountInfo).orElse("").split("\n")) {
            // 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
            String[] fields = line.split(" ");
            int separator = List.of(fields).indexOf("-");
            if (fields.length < 5 || separator < 0 || separator + 1 >= fields.length) {
                continue;
            }
            mounts.add(new Mount(fields[2], unescape(fields[4]), fields[separator + 1]));
        }
        return new MountTable(mounts);
    }

    public boolean hasMount(Path mountPoint, String fsType) {
        String wanted = mountPoint.toString();
        return mounts.stream().anyMatch(m -> m.mountPoint().equals(wanted) && m.fsType().equals(fsType));
    }

    /** The device number of what is mounted on {@code mountPoint} (the last mount there wins). */
    public Optional<String> deviceOf(String mountPoint) {
        Optional<String> number = Optional.empty();
        for (Mount mount : mounts) {
            if (mount.mountPoint().equals(mountPoint)) {
                number = Optional.of(mount.deviceNumber());
            }
        }
        return number;
    }

    /** Mount points whose source is the device {@code major:minor}. */
    public List<String> mountPointsOf(String deviceNumber) {
        return mounts.stream().filter(m -> m.deviceNumber().equals(deviceNumber)).map(Mount::mountPoint).toList();
    }

    /** mountinfo escapes space, tab, newline and backslash as octal. */
    private static String unescape(String field) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < field.length(); i++) {
            char c = field.charAt(i);
            if (c == '\\' && i + 3 < field.length() && field.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                out.append((char) Integer.parseInt(field.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
