package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.status.VmStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The text of {@code status}. {@link #plain} is the stable form for pipes and scripts (one line per VM under one
 * header line, columns apart by at least two spaces, {@code -} for an unknown value, then one {@code VM N: problem}
 * line per problem). {@link #forTerminal} is for a person: the unRAID GUID next to the state, the image last, a rule
 * under the headers, problems under their VM, fitted to the terminal's width.
 */
final class StatusTable {
    /** An image path is cut to no less than this before the table gives way to one block per VM. */
    private static final int NARROWEST_IMAGE = 24;
    private static final String GAP = "  ";

    /** A column: its header in a table, its label in a VM's block, its value. */
    private record Column(String header, String label, Function<VmStatus, String> value) {
    }

    private static final List<Column> PLAIN = List.of(new Column("VMID", "VM", VmStatus::vmId),
            new Column("STATE", "state", r -> r.state().label()), new Column("UDC", "UDC", VmStatus::udc),
            new Column("IMAGE", "image", VmStatus::image), new Column("VID:PID", "VID:PID", VmStatus::usbId),
            new Column("SERIAL", "serial", VmStatus::serial), new Column("UNRAID GUID", "unRAID GUID",
                    VmStatus::guid), new Column("HOST DEVICE", "host device", VmStatus::hostDevice));

    /** The terminal's order: what identifies the drive first, the long image path last. */
    private static final List<Column> TERMINAL = List.of(PLAIN.get(0), PLAIN.get(1), PLAIN.get(6), PLAIN.get(4),
            PLAIN.get(5), PLAIN.get(2), PLAIN.get(7), PLAIN.get(3));

    private StatusTable() {
    }

    /** The form for pipes and scripts, as it has always been. */
    static List<String> plain(List<VmStatus> rows) {
        List<String> lines = new ArrayList<>(aligned(PLAIN, rows, false));
        rows.stream().filter(r -> !r.problem().isEmpty()).forEach(r -> lines.add("VM " + r.vmId() + ": "
                + r.problem()));
        return lines;
    }

    /** The form for a person at a terminal {@code columns} wide. */
    static List<String> forTerminal(List<VmStatus> rows, int columns) {
        if (rows.isEmpty()) {
            return List.of("No VM has a config or a gadget; give one a drive with 'pve-usb-gadget attach VMID "
                    + "--image PATH'.");
        }
        List<VmStatus> shown = rows;
        if (width(TERMINAL, rows) > columns) {
            int others = width(TERMINAL.subList(0, TERMINAL.size() - 1), rows) + GAP.length();
            int room = columns - others;
            if (room < NARROWEST_IMAGE) {
                return blocks(rows, columns);
            }
            shown = rows.stream().map(r -> new VmStatus(r.vmId(), r.state(), r.udc(), shorten(r.image(), room),
                    r.usbId(), r.serial(), r.guid(), r.hostDevice(), r.problem())).toList();
        }
        List<String> table = aligned(TERMINAL, shown, true);
        List<String> lines = new ArrayList<>(table.subList(0, 2));
        for (int i = 0; i < shown.size(); i++) {
            lines.add(table.get(i + 2));
            if (!shown.get(i).problem().isEmpty()) {
                lines.addAll(wrap("! " + shown.get(i).problem(), "      ", columns));
            }
        }
        return lines;
    }

    /** One block per VM: for a terminal too narrow for the table. */
    private static List<String> blocks(List<VmStatus> rows, int columns) {
        List<String> lines = new ArrayList<>();
        for (VmStatus row : rows) {
            if (!lines.isEmpty()) {
                lines.add("");
            }
            lines.add("VM " + row.vmId() + ": " + row.state().label());
            for (Column column : TERMINAL.subList(2, TERMINAL.size())) {
                lines.add(String.format("  %-12s %s", column.label(), dash(column.value().apply(row))));
            }
            if (!row.problem().isEmpty()) {
                lines.addAll(wrap("! " + row.problem(), "  ", columns));
            }
        }
        return lines;
    }

    private static List<String> aligned(List<Column> columns, List<VmStatus> rows, boolean rule) {
        int[] widths = widths(columns, rows);
        List<List<String>> cells = new ArrayList<>();
        cells.add(columns.stream().map(Column::header).toList());
        if (rule) {
            List<String> dashes = new ArrayList<>();
            for (int i = 0; i < columns.size(); i++) {
                dashes.add("-".repeat(widths[i]));
            }
            cells.add(dashes);
        }
        rows.forEach(row -> cells.add(columns.stream().map(c -> dash(c.value().apply(row))).toList()));
        List<String> lines = new ArrayList<>();
        for (List<String> line : cells) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < line.size(); i++) {
                text.append(i == line.size() - 1 ? line.get(i) : String.format("%-" + widths[i] + "s" + GAP,
                        line.get(i)));
            }
            lines.add(text.toString().stripTrailing());
        }
        return lines;
    }

    private static int[] widths(List<Column> columns, List<VmStatus> rows) {
        int[] widths = new int[columns.size()];
        for (int i = 0; i < columns.size(); i++) {
            widths[i] = columns.get(i).header().length();
            for (VmStatus row : rows) {
                widths[i] = Math.max(widths[i], dash(columns.get(i).value().apply(row)).length());
            }
        }
        return widths;
    }

    private static int width(List<Column> columns, List<VmStatus> rows) {
        int total = 0;
        for (int w : widths(columns, rows)) {
            total += w;
        }
        return total + GAP.length() * (columns.size() - 1);
    }

    /** {@code path} in at most {@code room} characters: its start and its file name, {@code ...} between. */
    static String shorten(String path, int room) {
        if (path.length() <= room) {
            return path;
        }
        int tail = Math.min(path.length() - path.lastIndexOf('/'), room - 4);
        int head = room - 3 - tail;
        return path.substring(0, head) + "..." + path.substring(path.length() - tail);
    }

    /** {@code text} in lines of at most {@code columns}, each after {@code indent}, broken at spaces. */
    private static List<String> wrap(String text, String indent, int columns) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder(indent);
        boolean empty = true;
        for (String word : text.split(" ")) {
            if (!empty && line.length() + 1 + word.length() > columns) {
                lines.add(line.toString());
                line = new StringBuilder(indent + "  "); // a continuation, under the text after "! "
                empty = true;
            }
            line.append(empty ? "" : " ").append(word);
            empty = false;
        }
        lines.add(line.toString());
        return lines;
    }

    private static String dash(String value) {
        return value.isEmpty() ? "-" : value;
    }
}
