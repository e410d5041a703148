#!/bin/bash
# The guest plays the Proxmox host: `image create` from a test zip whose kernel reports what it sees, `pre-start`
# through the hookscript shim, then a nested QEMU started as qemu-server starts a VM with `usb0: host=VID:PID,usb3=1`
# first in its boot order (`boot: order=usb0`, ostype l26, machine i440fx >= 7.1), once with SeaBIOS, once with OVMF:
# it boots from the drive (the zip's syslinux, kernel and initramfs), and its kernel sees the configured VID, PID and
# serial (what unRAID builds its GUID from) at super speed, and the disk. `post-stop` afterwards; the image intact
# (unchanged, fsck clean, the zip's files in it).
#
# The VM's config and command line: itest/lib/nested-vm.sh (qemu-server's, read from its source; what is left out
# and why is said there).
#
# Slow: TCG inside TCG. itest/run builds the fixture zip (imagebuild-tests/make-fixture-zip.sh --report-usb) and runs
# this only on the kernels of ITEST_NESTED (default 6.1; "all" or "none"); elsewhere it is skipped, visibly.
# ITEST_NESTED_BOOT_TIMEOUT: seconds for one nested boot (default 1800); ITEST_NESTED_FIRMWARE: seabios, ovmf or both.
set -u
. "$ITEST_DIR/lib/guest-lib.sh"
. "$ITEST_DIR/lib/nested-vm.sh"

if [ -z "${ITEST_NESTED_ZIP:-}" ]; then
    skip "nested boot not on $ITEST_KLABEL (ITEST_NESTED=${ITEST_NESTED:-6.1} picks the kernels; all or none)"
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

# --- the drive, as a user makes it (C1 instead of the suite's -Xint: the sha256 checks of the bz* files interpreted
# under TCG took minutes)
ITEST_JAVA_OPTS=${ITEST_JAVA_OPTS/-Xint/-XX:TieredStopAtLevel=1} run_pvug 0 image create --zip "$ITEST_NESTED_ZIP" \
    --output "$img" --size 1G
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

# nested_boot FIRMWARE: the VM as qemu-server starts it (its serial console kept in the run's logs as
# 90-nested-boot.FIRMWARE.console.log), and what its kernel saw
nested_boot() {
    local fw=$1 name=$1 keep="${ITEST_OUT:-$SCRATCH}/${0##*/}" attempt why seen cmdline usb disk fwname=bios
    [ "$fw" = ovmf ] && fwname=efi
    for attempt in 1 2; do
        nested_vm_cmd $VMID "$name" "$fw" $VID $PID 512 "$SCRATCH/vm"
        echo "  VM $VMID.conf:"
        indent "$(nested_vm_conf $VMID "$fw" $VID $PID 512)"
        echo "\$ ${NESTED_QEMU[*]}"
        nested_vm_run "$name" "$boot_timeout"
        cp "$NESTED_LOG" "${keep%.sh}.$name.console.log" 2> /dev/null
        cp "$NESTED_TIMES" "${keep%.sh}.$name.times" 2> /dev/null
        why=$(nested_vm_shutdown)
        echo "  qemu exit $NESTED_RC after $NESTED_SECONDS s (${why:-no SHUTDOWN event}); its messages:"
        indent "$(cat "$NESTED_DIR/$name.qemu.out")"
        echo "  the nested console (last 40 lines):"
        indent "$(tr -d '\r' < "$NESTED_LOG" | grep -av '^\s*$' | tail -n 40)"
        seen=$(nested_vm_lines "$MARKER ")
        cmdline=$(grep -a "^$MARKER cmdline:" <<< "$seen")
        [ -n "$cmdline" ] && break
        # The firmware read the kernel and the initramfs from the drive, then the nested kernel reset before its /init
        # printed anything: a kernel dying in early boot under TCG inside TCG (seen once with OVMF, 2026-12-02), the
        # emulator and not the drive. Like itest/run's guests, that boot gets one more try; nothing else does.
        if [ "$attempt" = 1 ] && [ "$why" = guest-reset ] && [ -n "$(nested_vm_when "$NESTED_LOADED")" ] &&
            [ -z "$(nested_vm_when "$MARKER init")" ]; then
            say "$name: the firmware loaded the kernel and the initramfs, then the nested kernel reset before /init; booting once more"
            cp "$NESTED_LOG" "${keep%.sh}.$name.reset.console.log" 2> /dev/null
            continue
        fi
        break
    done
    if [ -n "$cmdline" ]; then
        pass "$name: booted from the drive into the zip's kernel and initramfs in $NESTED_SECONDS s (loader at $(nested_vm_when "$NESTED_AT_LOADER") s, bzroot loaded at $(nested_vm_when "$NESTED_LOADED") s, /init at $(nested_vm_when "$MARKER init") s): ${cmdline#* cmdline: }"
    else
        fail "$name: no '$MARKER cmdline:' on the nested console within ${boot_timeout} s (qemu exit $NESTED_RC)"
        return 1
    fi
    assert_match "$cmdline" "initrd=/bzroot" "$name: started by the zip's syslinux config (initrd=/bzroot)"
    assert_eq "$fwname" "$(grep -a "^$MARKER firmware " <<< "$seen" | cut -d' ' -f3)" "$name: the nested kernel was started by"
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
    assert_true "$name: QEMU ended when the guest powered off (qmeventd's quit; exit $NESTED_RC)" test "$NESTED_RC" = 0
}
# After each boot usb-host has given the device back: the host driver is bound again before the next.
firmware=${ITEST_NESTED_FIRMWARE:-both}
if [ "$firmware" != ovmf ]; then
    nested_boot seabios
fi
if [ "$firmware" != seabios ]; then
    if [ -r "$NESTED_OVMF_CODE" ]; then
        nested_boot ovmf
    else
        fail "no $NESTED_OVMF_CODE (apt-get install ovmf)"
    fi
fi

assert_ne "" "$(find_usb_dev $VID $PID $SERIAL)" "the host has the drive back after the nested VMs"
run_hook 0 $VMID post-stop
assert_no_gadget $VMID "post-stop"
assert_clean "post-stop"
image_intact "after the boots and post-stop"
# the partition (fsck.fat knows no offset) is clean, the zip's boot files are in it unchanged
dd if="$img" of="$SCRATCH/part.img" bs=1M skip=1 conv=sparse status=none
fsck_out=$(fsck.vfat -n "$SCRATCH/part.img" 2>&1)
assert_not_match "$fsck_out" "differences|dirty|[Ee]rror|[Ff]ix|[Cc]orrupt" "fsck.vfat -n of the partition is clean"
rm -f "$SCRATCH/part.img"
for f in bzimage bzroot syslinux/syslinux.cfg; do
    assert_eq "$(unzip -p "$ITEST_NESTED_ZIP" "$f" | sha256sum)" "$(MTOOLS_SKIP_CHECK=1 mcopy -n -i "$img@@1048576" "::$f" - | sha256sum)" \
        "$f on the drive is the zip's"
done
