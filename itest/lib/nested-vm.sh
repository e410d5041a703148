# A VM started inside the guest exactly as qemu-server starts a Proxmox VM that has the drive as `usb0`, first in its
# boot order (sourced by itest/scenarios/90-nested-boot.sh and the firmware benchmark, bench/lib/firmware-nested.sh).
#
#   nested_vm_conf VMID FIRMWARE VID PID MEM    the VM's config (/etc/pve/qemu-server/VMID.conf) this models
#   nested_vm_cmd VMID NAME FIRMWARE VID PID MEM DIR
#                          sets NESTED_QEMU to qemu-server's command line for that config (FIRMWARE seabios or ovmf,
#                          MEM MiB), its sockets, pid file and efidisk in DIR
#   nested_vm_run NAME TIMEOUT [STOP-REGEX]    runs it (at most TIMEOUT s; ended as soon as its serial output matches
#                          the Perl STOP-REGEX); sets NESTED_RC, NESTED_SECONDS, NESTED_LOG (serial0) and NESTED_TIMES
#                          ("SECONDS OFFSET" per chunk the VM printed, see nested-vm.pl)
#   nested_vm_when REGEX   seconds after QEMU's start at which the last run's serial output (terminal escapes removed)
#                          first matched the Perl REGEX (the time its last character arrived), or nothing
#   nested_vm_lines PREFIX the last run's serial lines that start with PREFIX (CRs removed)
#   nested_vm_shutdown     why the last run's guest ended, from QEMU's SHUTDOWN event: guest-shutdown (powered off),
#                          guest-reset (reset: under -no-reboot a reboot or a crash), ...; nothing when it did not
#   NESTED_AT_LOADER, NESTED_LOADED   the Perl patterns (for nested_vm_when, nested_vm_run) of syslinux starting to
#                          read the kernel ("Loading /bzimage") and of the kernel and initramfs read ("Loading
#                          /bzroot...ok": SeaBIOS's copy of the screen interleaves the dots)
#
# The command line, from qemu-server (src/PVE/QemuServer.pm config_to_command, QemuServer/USB.pm, OVMF.pm,
# CPUConfig.pm, Machine.pm; the cfg2cmd tests qemu-xhci-7.1.conf.cmd, efi-raw.conf.cmd, bootorder.conf.cmd), for
# `ostype: l26` and a machine version >= 7.1 (here pc-i440fx-7.2, this QEMU's; qemu-server pins the version a VM was
# created with):
#   - usbN goes to the qemu-xhci controller (`qemu-xhci,p2=15,p3=15,id=xhci`, on pci-bridge pci.1 at addr 0x1b) at
#     port N+1, whatever `usb3=` says (qemu-xhci's port N has a USB 2 and a USB 3 half; the device takes the one of its
#     speed): `usb-host,bus=xhci.0,port=1,vendorid=0x....,productid=0x....,id=usb0,bootindex=100`; the first entry of
#     `boot: order=` gets bootindex 100 (device_bootorder);
#   - i440fx always has piix3-usb-uhci at 0x1.0x2 and, from machine 2.3, the bridges pci.1 and pci.2; no
#     tablet with `vga: serial0`; `serial0: socket` is a unix socket chardev on an isa-serial;
#   - `kvm: 0`: `-cpu qemu64` and `accel=tcg` in -machine (nested KVM is not to be had here);
#   - OVMF with `efidisk0: ...,efitype=4m,pre-enrolled-keys=0` on i440fx (no SMM): OVMF_CODE_4M.fd read-only as pflash
#     unit 0 and the efidisk (made from OVMF_VARS_4M.fd) as unit 1 with its size, the -drive form qemu-server uses below
#     machine version 10.0; Debian's ovmf package has the same two builds as Proxmox's pve-edk2-firmware;
#   - `-no-shutdown` as always: nested-vm.pl plays qmeventd and sends `quit` on the guest's SHUTDOWN event.
# Left out, as irrelevant to booting from the drive or not available outside Proxmox: `-id` (a Proxmox QEMU patch),
# `-daemonize` (the VM runs in the foreground), the qmeventd socket, `-boot splash=` (qemu-server's image), the
# `+pve0` machine suffix (Proxmox's QEMU), `-iscsi`, `-smbios`, `vmgenid`, networking, other disks.

NESTED_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NESTED_MACHINE=pc-i440fx-7.2
NESTED_AT_LOADER='Loading /bzimage'
NESTED_LOADED='Loading /bzroot[^\n]*?ok'
NESTED_OVMF_CODE=/usr/share/OVMF/OVMF_CODE_4M.fd
NESTED_OVMF_VARS=/usr/share/OVMF/OVMF_VARS_4M.fd

nested_vm_conf() { # VMID FIRMWARE VID PID MEM
    local vmid=$1 fw=$2 vid=${3#0x} pid=${4#0x} mem=$5
    printf '%s\n' "boot: order=usb0" "cores: 1" "kvm: 0" "machine: $NESTED_MACHINE" "memory: $mem" \
        "name: nested-$fw" "ostype: l26" "reboot: 0" "serial0: socket" "usb0: host=$vid:$pid,usb3=1" "vga: serial0"
    if [ "$fw" = ovmf ]; then
        echo "bios: ovmf"
        echo "efidisk0: local:$vmid/vm-$vmid-disk-0.raw,efitype=4m,pre-enrolled-keys=0,size=$(($(stat -c %s "$NESTED_OVMF_VARS") / 1024))K"
    fi
}

nested_vm_cmd() { # VMID NAME FIRMWARE VID PID MEM DIR
    local vmid=$1 name=$2 fw=$3 vid=${4#0x} pid=${5#0x} mem=$6 dir=$7
    mkdir -p "$dir"
    NESTED_DIR=$dir NESTED_NAME=$name
    NESTED_QEMU=(qemu-system-x86_64 -name "nested-$name,debug-threads=on" -no-shutdown
        -chardev "socket,id=qmp,path=$dir/$vmid.qmp,server=on,wait=off" -mon "chardev=qmp,mode=control"
        -pidfile "$dir/$vmid.pid")
    if [ "$fw" = ovmf ]; then
        # qemu-server's create_efidisk: the efidisk is a copy of the VARS template; -drive with its size
        local efidisk=$dir/vm-$vmid-disk-0.raw
        cp "$NESTED_OVMF_VARS" "$efidisk"
        NESTED_QEMU+=(-drive "if=pflash,unit=0,format=raw,readonly=on,file=$NESTED_OVMF_CODE"
            -drive "if=pflash,unit=1,id=drive-efidisk0,format=raw,file=$efidisk,size=$(stat -c %s "$NESTED_OVMF_VARS")")
    fi
    NESTED_QEMU+=(-smp "1,sockets=1,cores=1,maxcpus=1" -nodefaults
        -boot "menu=on,strict=on,reboot-timeout=1000" -no-reboot -nographic
        -cpu qemu64 -m "$mem"
        -device "pci-bridge,id=pci.1,chassis_nr=1,bus=pci.0,addr=0x1e"
        -device "pci-bridge,id=pci.2,chassis_nr=2,bus=pci.0,addr=0x1f"
        -device "piix3-usb-uhci,id=uhci,bus=pci.0,addr=0x1.0x2"
        -device "qemu-xhci,p2=15,p3=15,id=xhci,bus=pci.1,addr=0x1b"
        -device "usb-host,bus=xhci.0,port=1,vendorid=0x$vid,productid=0x$pid,id=usb0,bootindex=100"
        -chardev "socket,id=serial0,path=$dir/$vmid.serial0,server=on,wait=off" -device "isa-serial,chardev=serial0"
        -device "virtio-balloon-pci,id=balloon0,bus=pci.0,addr=0x3,free-page-reporting=on"
        -machine "type=$NESTED_MACHINE,accel=tcg")
    NESTED_VMID=$vmid
}

nested_vm_run() { # NAME TIMEOUT [STOP-REGEX]
    local name=$1 limit=$2 stop=${3:-} t0 io
    NESTED_LOG=$NESTED_DIR/$name.console.log NESTED_TIMES=$NESTED_DIR/$name.times
    rm -f "$NESTED_DIR/$NESTED_VMID.qmp" "$NESTED_DIR/$NESTED_VMID.serial0"
    t0=$(date +%s.%N)
    perl "$NESTED_LIB_DIR/nested-vm.pl" "$t0" "$NESTED_DIR/$NESTED_VMID.serial0" "$NESTED_DIR/$NESTED_VMID.qmp" \
        "$NESTED_LOG" "$NESTED_TIMES" "$stop" &
    io=$!
    timeout -k 10 "$limit" "${NESTED_QEMU[@]}" < /dev/null > "$NESTED_DIR/$name.qemu.out" 2>&1
    NESTED_RC=$?
    NESTED_SECONDS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    # QEMU closed the sockets: the reader ends by itself (a reader that never connected gives up within a minute)
    wait "$io" 2> /dev/null
    return 0
}

nested_vm_when() { # REGEX
    # matched on the text without terminal escapes: OVMF's console (and SeaBIOS's copy of the screen) moves the cursor
    # between characters; the match's end is mapped back to its offset in the log
    perl -e '
        my ($re, $log, $times) = @ARGV;
        local $/;
        open(my $l, "<", $log) or exit 0;
        my $raw = <$l>;
        my ($text, @at) = ("");
        while ($raw =~ /\G(?:\e(?:\[[0-9;?=]*[A-Za-z]|[()][0-9A-Za-z]|.)|(.))/sg) {
            next unless defined $1;
            $text .= $1;
            push @at, pos($raw);
        }
        $text =~ /$re/s or exit 0;
        my $end = $at[$+[0] - 1];
        open(my $t, "<", $times) or exit 0;
        for (split /\n/, <$t>) { my ($s, $o) = split; if ($o >= $end) { print "$s\n"; exit 0 } }
    ' "$1" "$NESTED_LOG" "$NESTED_TIMES"
}

nested_vm_lines() { # PREFIX
    tr -d '\r' < "$NESTED_LOG" | grep -a "^$1"
}

nested_vm_shutdown() {
    awk '$3 == "SHUTDOWN" {print $4; exit}' "$NESTED_TIMES" 2> /dev/null
}
