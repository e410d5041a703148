#!/bin/bash
# Issue 7 on the real kernel: a fault injected before step k of up/down (PVE_USB_GADGET_FAULT=<op>:<k>:<fail|die>)
# leaves the host fully clean (fail: rolled back) or in a state the next up/down repairs (die: like kill -9); the
# image is intact after every one. Then the udev rules of packaging/ mark the emulated disk (udevadm test).
set -u
. "$ITEST_DIR/lib/guest-lib.sh"
REPO=$(dirname "$ITEST_DIR")

one_vm 701 ITESTFAULT000701 8 random
watch_image "$img"

# A fault that fails a step, at every step of up and down, is 75-fault-sweep (one JVM for all of them); here the
# process dies (PVE_USB_GADGET_FAULT=...:die halts the JVM like kill -9) at steps in the middle of the build, at
# the bind, and in the middle of the teardown.
for k_next in 24:up 26:down; do
    k=${k_next%:*} next=${k_next#*:}
    {
        say "--- up dies before step $k, then $next"
        unload_gadget_modules > /dev/null
        PVE_USB_GADGET_FAULT="up:$k:die" run_pvug 137 up $VMID
        run_tool 0 $next $VMID
        if [ "$next" = up ]; then
            expect_drive 0x1d6b 0x0701 $SERIAL "$img" 30
            run_tool 0 down $VMID
        fi
        assert_clean "after up:$k:die and $next"
        image_intact "after up:$k:die and $next"
    }
done

# Steps of down of a running gadget: flush the host's cache (1), unbind (2), wait for the host (3), rm link (4),
# rmdir config strings (5) ... gadget (9), flush the image (10), unload modules (11).
for fault in 6:die; do
    say "--- down: $fault"
    run_tool 0 up $VMID
    expect_drive 0x1d6b 0x0701 $SERIAL "$img" 30 > /dev/null
    PVE_USB_GADGET_FAULT="down:$fault" run_pvug 137 down $VMID
    run_tool 0 down $VMID
    assert_clean "after down:$fault and down"
    image_intact "after down:$fault"
done

say "--- udev: the emulated disk is marked for the host to leave alone, with a by-pve-usb-gadget link"
rules="$REPO/packaging/udev/60-pve-usb-gadget.rules"
if [ -r "$rules" ] && command -v udevadm > /dev/null; then
    mkdir -p /etc/udev/rules.d /usr/lib/pve-usb-gadget /etc/pve-usb-gadget
    cp "$rules" /etc/udev/rules.d/
    install -m 0755 "$REPO/packaging/udev/udev-vmid" /usr/lib/pve-usb-gadget/udev-vmid
    cp "$CFG/$VMID.conf" /etc/pve-usb-gadget/
    run_tool 0 up $VMID
    if expect_drive 0x1d6b 0x0701 $SERIAL "$img" 30; then
        props=$(udevadm test --action=add "/sys/class/block/${DISK##*/}" 2>&1)
        assert_match "$props" '^UDISKS_IGNORE=1' "udev: UDISKS_IGNORE=1"
        assert_match "$props" '^SYSTEMD_READY=0' "udev: SYSTEMD_READY=0"
        assert_match "$props" "by-pve-usb-gadget/$VMID" "udev: /dev/disk/by-pve-usb-gadget/$VMID"
    fi
    run_tool 0 down $VMID
    rm -f /etc/udev/rules.d/60-pve-usb-gadget.rules /etc/pve-usb-gadget/$VMID.conf
else
    say "no udevadm or rules file in this guest: udev part skipped"
fi
assert_clean "end of 70-faults"
