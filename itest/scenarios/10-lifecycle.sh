#!/bin/bash
# The Proxmox hook flow, through the repository's hookscript shim as Proxmox calls it: pre-start builds, binds and
# waits for the drive; post-start and pre-stop do nothing; post-stop removes it; an unknown phase is a usage error.
set -u
. "$ITEST_DIR/lib/guest-lib.sh"

VMID=101
SERIAL=ITEST0000LIFE101
# a path with a non-ASCII character, as in /mnt/Sicherung/Stick-ä.img: the hook runs under LC_ALL=C
img="$SCRATCH/Stick-ä.img"
make_image "$img" 16 random
write_conf $VMID image="$img" vendor_id=0x1d6b product_id=0x0104 serial=$SERIAL \
    manufacturer="itest maker" product="Lifecycle Stick" \
    inquiry_vendor=ITESTVND inquiry_product="LIFECYCLE DISK" inquiry_revision=1.23 \
    enumerate_timeout=60

# what the hook runs in: Proxmox's environment (LC_ALL=C, its PATH, nothing else of ours), cwd /, stdin empty
printf '#!/bin/sh\n{ echo "cwd=$(pwd)"; env; echo "stdin=$(cat)"; } > %s\n' "$SCRATCH/hook-env" > "$SCRATCH/record-env"
chmod 0755 "$SCRATCH/record-env"
HOOK_LAUNCHER=$SCRATCH/record-env run_hook 0 $VMID pre-start
seen=$(grep -vE '^(PVE_USB_GADGET[A-Z_]*|PWD|SHLVL|_|OLDPWD)=' "$SCRATCH/hook-env" | sort | tr '\n' ' ')
assert_eq "LC_ALL=C PATH=/sbin:/bin:/usr/sbin:/usr/bin cwd=/ stdin= " "$seen" "the hook's environment is Proxmox's"

run_hook 0 $VMID pre-start
assert_eq "" "$(grep -E 'Exception|^\s+at ' <<< "$OUT")" "pre-start: no stack trace"
G="$GADGET_ROOT/$GADGET_PREFIX$VMID"
assert_true "configfs has $GADGET_PREFIX$VMID" test -d "$G"
udc=$(gadget_udc $VMID)
assert_match "$udc" '^dummy_udc\.[0-9]+$' "gadget bound to a dummy UDC ($udc)"
# pre-start waits until the host has enumerated the drive: it must be there right away
if d=$(find_usb_dev 0x1d6b 0x0104 $SERIAL); then
    pass "USB device present when pre-start returns (${d##*/})"
else
    fail "USB device not yet present when pre-start returned (it must wait for enumeration)"
fi
if expect_drive 0x1d6b 0x0104 $SERIAL "$img" 30; then
    assert_eq 1d6b "$(cat "$USBDEV/idVendor")" "sysfs idVendor"
    assert_eq 0104 "$(cat "$USBDEV/idProduct")" "sysfs idProduct"
    assert_eq $SERIAL "$(cat "$USBDEV/serial")" "sysfs serial"
    assert_eq "itest maker" "$(cat "$USBDEV/manufacturer" 2> /dev/null)" "sysfs manufacturer"
    assert_eq "Lifecycle Stick" "$(cat "$USBDEV/product" 2> /dev/null)" "sysfs product"
    sd=${DISK#/dev/}
    trim() { sed -e 's/[[:space:]]*$//' "$1"; }
    assert_eq ITESTVND "$(trim /sys/block/$sd/device/vendor)" "INQUIRY vendor"
    assert_eq "LIFECYCLE DISK" "$(trim /sys/block/$sd/device/model)" "INQUIRY product"
    assert_eq 1.23 "$(trim /sys/block/$sd/device/rev)" "INQUIRY revision"
    assert_eq 1 "$(cat /sys/block/$sd/removable)" "removable (default true)"
    assert_eq 0 "$(cat /sys/block/$sd/ro)" "writable (read_only default false)"
fi

run_tool 0 guid $VMID
assert_contains "$OUT" "1D6B-0104-ITES-T0000LIFE101" "guid is VID-PID-SERIAL as unRAID shows it (16 chars split 4+12)"
# GUID of a short lower-case serial: upper case, left-padded with 0 to 16 characters
make_image "$SCRATCH/vm102.img" 1 zero
write_conf 102 image="$SCRATCH/vm102.img" vendor_id=0x1d6b product_id=0x0105 serial=abc12
run_tool 0 guid 102
assert_contains "$OUT" "1D6B-0105-0000-0000000ABC12" "guid pads and upper-cases the serial"
rm -f "$CFG/102.conf"
run_tool 0 status
assert_contains "$OUT" "$SERIAL" "status shows the serial"
assert_contains "$OUT" "$VMID" "status shows the VM"
run_tool 0 status --json
assert_contains "$OUT" "$SERIAL" "status --json shows the serial"

before=$(snapshot)
run_hook 0 $VMID post-start
run_hook 0 $VMID pre-stop
# the shim answers those two itself; the jar called directly answers them before loading anything else
run_checked 0 "jar hook $VMID post-start" "$ITEST_JAVA" $ITEST_JAVA_OPTS -jar "$JAR" hook $VMID post-start
assert_eq "$before" "$(snapshot)" "post-start and pre-stop change nothing"
assert_ne "" "$(find_usb_dev 0x1d6b 0x0104 $SERIAL)" "drive still there after pre-stop"

run_hook 2 $VMID bogus-phase
assert_clean_error "unknown phase"
assert_contains "$OUT" "bogus-phase" "unknown phase: the message names the phase"
assert_ne "" "$(find_usb_dev 0x1d6b 0x0104 $SERIAL)" "drive still there after an unknown phase"

run_hook 0 $VMID post-stop
assert_no_gadget $VMID "post-stop"
assert_clean "post-stop"
assert_eq "" "$(find_usb_dev 0x1d6b 0x0104 $SERIAL)" "USB device gone after post-stop"
assert_eq $((16 * 1048576)) "$(stat -c %s "$img")" "image size unchanged after post-stop"

# post-stop again, for a VM that has no gadget: nothing to do, success
run_hook 0 $VMID post-stop
