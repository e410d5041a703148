#!/bin/bash
# The guest plays the Proxmox host: `image create` from a test zip whose kernel reports what it sees, `pre-start`
# through the hookscript shim, then a nested QEMU started as qemu-server starts a VM with `usb0: host=VID:PID,usb3=1`
# first in its boot order (`boot: order=usb0`, ostype l26, machine i440fx >= 7.1), once with SeaBIOS, once with OVMF:
# it boots from the drive (the zip's syslinux, kernel and initramfs), and its kernel sees the configured VID, PID and
# serial (what unRAID builds its GUID from) at super speed, and the disk. `post-stop` afterwards; the image intact.
#
# The command line is qemu-server's (src/PVE/QemuServer/USB.pm, device_bootorder in QemuServer.pm, cfg2cmd test
# qemu-xhci-7.1.conf.cmd): pci-bridge pci.1 for the controller, piix3-usb-uhci, qemu-xhci,p2=15,p3=15 on pci.1 addr
# 0x1b, usb-host on xhci.0 port 1 (usbN goes to port N+1 whatever usb3= says: qemu-xhci's port N has a USB 2 and a
# USB 3 half, the device takes the one of its speed) with bootindex=100 (the first of "boot: order=" is 100), `-boot
# menu=on,strict=on,reboot-timeout=1000`, `-nodefaults`; for OVMF the 4M code and a copy of its empty variable store
# as pflash0/pflash1. Left out as irrelevant here: KVM, VGA/VNC, QMP sockets, -daemonize, the balloon and network.
#
# Slow: TCG inside TCG. itest/run builds the fixture zip (imagebuild-tests/make-fixture-zip.sh --report-usb) and runs
# this only on the kernels of ITEST_NESTED (default 6.12; "all" or "none"); elsewhere it is skipped, visibly.
# ITEST_NESTED_BOOT_TIMEOUT: seconds for one nested boot (default 1800); ITEST_NESTED_FIRMWARE: seabios, ovmf or both.
set -u
. "$ITEST_DIR/lib/guest-lib.sh"

if [ -z "${ITEST_NESTED_ZIP:-}" ]; then
    skip "nested boot not on $ITEST_KLABEL (ITEST_NESTED=${ITEST_NESTED:-6.12} picks the kernels; all or none)"
    exit 0
fi
[ -r "$ITEST_NESTED_ZIP" ] || die "no fixture zip $ITEST_NESTED_ZIP (itest/run builds it)"
command -v qemu-system-x86_64 > /dev/null || die "no qemu-system-x86_64 on this machine (apt-get install qemu-system-x86)"
MARKER=PVE-USB-GADGET-NESTED # make-fixture-zip.sh's marker, given by itest/run
boot_timeout=${ITEST_NESTED_BOOT_TIMEOUT:-1800}
VMID=190
VID=0x0951 PID=0x1666
# longer than 16 characters: unRAID's GUID takes the last 16
SERIAL=60A44C413FA8F3A0B9470039
img="$SCRATCH/unraid-$VMID.img"

# --- the drive, as a user makes it
run_pvug 0 image create --zip "$ITEST_NESTED_ZIP" --output "$img" --size 1G
[ -f "$img" ] || die "image create made no $img"
write_conf $VMID image="$img" vendor_id=$VID product_id=$PID serial=$SERIAL enumerate_timeout=120
watch_image "$img"
run_pvug 0 guid $VMID
guid_out=$OUT

run_hook 0 $VMID pre-start
USBDEV=$(find_usb_dev $VID $PID $SERIAL) || die "the host does not see $VID:$PID serial $SERIAL after pre-start"
busnum=$(attr "$USBDEV/busnum") devnum=$(attr "$USBDEV/devnum")
node=$(printf '/dev/bus/usb/%03d/%03d' "$busnum" "$devnum")
host_speed=$(attr "$USBDEV/speed")
assert_true "the host's device node $node exists (devtmpfs; what usb-host opens through libusb)" test -c "$node"
assert_eq 5000 "$host_speed" "the host sees the drive at super speed (dummy_hcd is_super_speed=1)"

# unRAID's GUID (its USB creator and boot script): VID-PID-serial, the serial without whitespace, upper case, the last
# 16 characters (left-padded with 0), split 4 + 12
unraid_guid() { # VID PID SERIAL (as sysfs has them)
    local s=${3//[[:space:]]/}
    s=${s^^}
    while [ ${#s} -lt 16 ]; do s=0$s; done
    s=${s: -16}
    printf '%s-%s-%s-%s\n' "${1^^}" "${2^^}" "${s:0:4}" "${s:4:12}"
}

# nested_boot NAME FIRMWARE [QEMU-ARGS...]: the VM as qemu-server starts it (its serial console in the run's logs,
# 90-nested-boot.NAME.console.log), and what its kernel saw; FIRMWARE is what that kernel must report having been
# started by (bios or efi).
nested_boot() {
    local name=$1 fw=$2 log="$SCRATCH/$1.console.log" t0=$SECONDS rc keep="${ITEST_OUT:-$SCRATCH}/${0##*/}"
    shift 2
    local cmd=(qemu-system-x86_64 -accel tcg -name "nested-$name" -nodefaults -no-reboot
        -display none -monitor none -serial "file:$log"
        -boot menu=on,strict=on,reboot-timeout=1000 -smp 1 -m 256 "$@"
        -device pci-bridge,id=pci.1,chassis_nr=1,bus=pci.0,addr=0x1e
        -device piix3-usb-uhci,id=uhci,bus=pci.0,addr=0x1.0x2
        -device qemu-xhci,p2=15,p3=15,id=xhci,bus=pci.1,addr=0x1b
        -device "usb-host,bus=xhci.0,port=1,vendorid=$VID,productid=$PID,id=usb0,bootindex=100"
        -machine type=pc)
    echo "\$ ${cmd[*]}"
    timeout -k 10 "$boot_timeout" "${cmd[@]}" < /dev/null > "$SCRATCH/$name.qemu.out" 2>&1
    rc=$?
    # on tmpfs while it runs (a write per character to the 9p share would slow the nested console down), then kept
    cp "$log" "${keep%.sh}.$name.console.log" 2> /dev/null
    echo "  qemu exit $rc after $((SECONDS - t0)) s; its messages:"
    indent "$(cat "$SCRATCH/$name.qemu.out")"
    echo "  the nested console (last 40 lines):"
    indent "$(tr -d '\r' < "$log" | grep -av '^\s*$' | tail -n 40)"
    local seen cmdline usb disk
    seen=$(tr -d '\r' < "$log" | grep -a "^$MARKER ")
    cmdline=$(grep -a "^$MARKER cmdline:" <<< "$seen")
    if [ -n "$cmdline" ]; then
        pass "$name: booted from the drive into the zip's kernel and initramfs ($((SECONDS - t0)) s): ${cmdline#* cmdline: }"
    else
        fail "$name: no '$MARKER cmdline:' on the nested console within ${boot_timeout} s (qemu exit $rc)"
        return 1
    fi
    assert_match "$cmdline" "initrd=/bzroot" "$name: started by the zip's syslinux config (initrd=/bzroot)"
    assert_eq "$fw" "$(grep -a "^$MARKER firmware " <<< "$seen" | cut -d' ' -f3)" "$name: the nested kernel was started by"
    # "MARKER usb <dev> <idVendor> <idProduct> <serial> <speed> <interface class>"
    usb=$(grep -a "^$MARKER usb " <<< "$seen" | awk -v v="${VID#0x}" -v p="${PID#0x}" '$4 == v && $5 == p')
    if [ -z "$usb" ]; then
        fail "$name: the nested kernel sees no $VID:$PID; it sees: $(grep -a "^$MARKER usb " <<< "$seen" | tr '\n' ';')"
        return 1
    fi
    local dev v p s sp cls
    read -r _ _ dev v p s sp cls <<< "$usb"
    pass "$name: the nested kernel sees $v:$p at $dev"
    assert_eq "$SERIAL" "$s" "$name: serial in the nested guest"
    assert_eq "$host_speed" "$sp" "$name: speed in the nested guest, as on the host"
    assert_eq 08 "$cls" "$name: interface class mass storage"
    assert_contains "$guid_out" "$(unraid_guid "$v" "$p" "$s")" \
        "$name: 'guid $VMID' prints the GUID unRAID builds from what it sees ($(unraid_guid "$v" "$p" "$s"))"
    disk=$(grep -a "^$MARKER disk " <<< "$seen" | head -n 1)
    assert_eq $((1024 * 2048)) "$(cut -d' ' -f4 <<< "$disk")" "$name: the nested kernel has the 1 GiB disk (${disk#* disk })"
}
# After each boot usb-host has given the device back: the host driver is bound again before the next.
firmware=${ITEST_NESTED_FIRMWARE:-both}
if [ "$firmware" != ovmf ]; then
    nested_boot seabios bios
fi
if [ "$firmware" != seabios ]; then
    code=/usr/share/OVMF/OVMF_CODE_4M.fd
    if [ -r "$code" ]; then
        cp /usr/share/OVMF/OVMF_VARS_4M.fd "$SCRATCH/efivars.fd"
        nested_boot ovmf efi -drive "if=pflash,unit=0,format=raw,readonly=on,file=$code" \
            -drive "if=pflash,unit=1,format=raw,file=$SCRATCH/efivars.fd"
    else
        fail "no $code (apt-get install ovmf)"
    fi
fi

assert_ne "" "$(find_usb_dev $VID $PID $SERIAL)" "the host has the drive back after the nested VMs"
run_hook 0 $VMID post-stop
assert_no_gadget $VMID "post-stop"
assert_clean "post-stop"
image_intact "after two boots and post-stop"
