package io.github.pveusbgadget.cli;

import io.github.pveusbgadget.config.VmId;
import io.github.pveusbgadget.status.StatusCollector;
import io.github.pveusbgadget.status.VmStatus;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code status [<vmid>]}: every VM's gadget, as JSON, as a table fitted to the terminal a person reads, or (on a
 * pipe) as the stable plain table scripts parse ({@link StatusTable}).
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show every VM's gadget: state, UDC, image, VID:PID, serial, unRAID GUID, host device.")
final class StatusCommand extends BaseCommand {
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
        JsonOutput.printArray(out(), rows, (json, row) -> {
            json.writeNumberField("vmid", Long.parseLong(row.vmId()));
            json.writeStringField("state", row.state().label());
            json.writeStringField("udc", row.udc());
            json.writeStringField("image", row.image());
            json.writeStringField("usb_id", row.usbId());
            json.writeStringField("serial", row.serial());
            json.writeStringField("unraid_guid", row.guid());
            json.writeStringField("host_device", row.hostDevice());
            json.writeStringField("problem", row.problem());
        });
    }

    private void printTable(List<VmStatus> rows) {
        Environment environment = services().environment();
        (environment.console() ? StatusTable.forTerminal(rows, TerminalWidth.of(environment))
                : StatusTable.plain(rows)).forEach(out()::println);
    }
}
