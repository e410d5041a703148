package io.github.pveusbgadget.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.status.StatusCollector;
import io.github.pveusbgadget.status.VmStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code status [<vmid>]}: every VM's gadget, as a table or JSON. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show every VM's gadget: state, UDC, image, VID:PID, serial, unRAID GUID, host device.")
final class StatusCommand extends BaseCommand {
    private static final List<String> HEADERS =
            List.of("VMID", "STATE", "UDC", "IMAGE", "VID:PID", "SERIAL", "UNRAID GUID", "HOST DEVICE");

    @Parameters(index = "0", arity = "0..1", paramLabel = "VMID")
    String vmId;

    @Option(names = "--json", description = "Print JSON for scripts.")
    boolean json;

    @Override
    public Integer call() {
        Optional<VmId> only = Optional.ofNullable(vmId).map(BaseCommand::vmId);
        Services services = services();
        List<VmStatus> rows = new StatusCollector(services.store()).collect(only, services.snapshot());
        if (json) {
            printJson(rows);
        } else {
            printTable(rows);
        }
        return StatusCollector.exitCode(rows);
    }

    private void printJson(List<VmStatus> rows) {
        // The generator must not close the command's output: the final newline comes after it.
        try (JsonGenerator json = new JsonFactory().disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET)
                .createGenerator(out())) {
            json.useDefaultPrettyPrinter();
            json.writeStartArray();
            for (VmStatus row : rows) {
                json.writeStartObject();
                json.writeNumberField("vmid", Long.parseLong(row.vmId()));
                json.writeStringField("state", row.state().label());
                json.writeStringField("udc", row.udc());
                json.writeStringField("image", row.image());
                json.writeStringField("usb_id", row.usbId());
                json.writeStringField("serial", row.serial());
                json.writeStringField("unraid_guid", row.guid());
                json.writeStringField("host_device", row.hostDevice());
                json.writeStringField("problem", row.problem());
                json.writeEndObject();
            }
            json.writeEndArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out().println();
    }

    private void printTable(List<VmStatus> rows) {
        List<List<String>> cells = new ArrayList<>();
        cells.add(HEADERS);
        for (VmStatus row : rows) {
            cells.add(List.of(row.vmId(), row.state().label(), dash(row.udc()), dash(row.image()), dash(row.usbId()),
                    dash(row.serial()), dash(row.guid()), dash(row.hostDevice())));
        }
        int[] widths = new int[HEADERS.size()];
        cells.forEach(line -> {
            for (int i = 0; i < line.size(); i++) {
                widths[i] = Math.max(widths[i], line.get(i).length());
            }
        });
        for (List<String> line : cells) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < line.size(); i++) {
                text.append(i == line.size() - 1 ? line.get(i) : String.format("%-" + widths[i] + "s  ", line.get(i)));
            }
            out().println(text.toString().stripTrailing());
        }
        rows.stream().filter(r -> !r.problem().isEmpty())
                .forEach(r -> out().println("VM " + r.vmId() + ": " + r.problem()));
    }

    private static String dash(String value) {
        return value.isEmpty() ? "-" : value;
    }
}
