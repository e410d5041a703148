#!/bin/bash
# up twice, down twice, up over a half-built leftover, down after a killed up.
set -u
. "$ITEST_DIR/lib/guest-lib.sh"

one_vm 401 ITESTIDEM0000401 8 random
G="$GADGET_ROOT/$GADGET_PREFIX$VMID"

say "--- up twice"
run_tool 0 up $VMID
expect_drive 0x1d6b 0x0401 $SERIAL "$img" 30
udc1=$(gadget_udc $VMID)
devnum1=$(cat "$USBDEV/devnum" 2> /dev/null)
disk1=$DISK
before=$(snapshot)
run_tool 0 up $VMID
assert_eq "$udc1" "$(gadget_udc $VMID)" "second up: same UDC"
assert_eq "$devnum1" "$(cat "$USBDEV/devnum" 2> /dev/null)" "second up: the device was not re-enumerated"
assert_eq "$before" "$(snapshot)" "second up: configfs, modules and disks unchanged"
assert_true "second up: $disk1 still reads the image" cmp "$img" <(dd if="$disk1" bs=1M iflag=direct status=none)

say "--- down twice"
run_tool 0 down $VMID
assert_clean "after down"
run_tool 0 down $VMID
assert_clean "after the second down"

say "--- up over a half-built leftover"
modprobe libcomposite
modprobe usb_f_mass_storage
mkdir "$G" && echo 0x1d6b > "$G/idVendor" && echo 0x0999 > "$G/idProduct"
mkdir "$G/strings/0x409" && echo WRONGSERIAL > "$G/strings/0x409/serialnumber"
mkdir "$G/configs/c.1" "$G/functions/mass_storage.usb0"
say "leftover: $(cd "$G" && find . -maxdepth 2 -type d | tr '\n' ' ')"
run_tool 0 up $VMID
if expect_drive 0x1d6b 0x0401 $SERIAL "$img" 30; then
    assert_eq 0 "$(count_usb_dev 0x1d6b 0x0999)" "no device with the leftover's ids"
fi
run_tool 0 down $VMID
assert_clean "after down of the rebuilt gadget"

say "--- a bound leftover with wrong identity is replaced"
run_tool 0 up $VMID
expect_drive 0x1d6b 0x0401 $SERIAL "$img" 30
u=$(gadget_udc $VMID)
echo "" > "$G/UDC"
echo WRONGSERIAL > "$G/strings/0x409/serialnumber"
echo "$u" > "$G/UDC"
wait_usb_dev 0x1d6b 0x0401 WRONGSERIAL 30 > /dev/null && pass "rebound by hand with serial WRONGSERIAL"
run_tool 0 up $VMID
expect_drive 0x1d6b 0x0401 $SERIAL "$img" 30 && pass "the drive has the configured serial again"
assert_eq "" "$(find_usb_dev 0x1d6b 0x0401 WRONGSERIAL)" "no device with the wrong serial"
run_tool 0 down $VMID
assert_clean "after down"

say "--- down after a killed up"
# kill -9 the java process as soon as the gadget directory appears (what it left depends on timing:
# the JVM may have got further), then down must clean up and must not be blocked by the dead lock holder
stage_file() {
    local f
    for f in "$G"/functions/*/lun.0/file; do [ -n "$(cat "$f" 2> /dev/null)" ] && return 0; done
    return 1
}
(pvug_bg up $VMID) > "$SCRATCH/killed-up.out" 2>&1 &
jpid=$!
end=$((SECONDS + 180))
# a fork-free busy loop (builtins only), so the poll itself does not slow the JVM down
until [ -d "$G" ] || ! kill -0 $jpid 2> /dev/null || [ $SECONDS -ge $end ]; do :; done
kill -9 $jpid 2> /dev/null && killed=yes || killed="no (it had exited)"
wait $jpid 2> /dev/null
state="dir=$([ -d "$G" ] && echo yes || echo no) file=$(stage_file && echo set || echo none) udc=$(gadget_udc $VMID) disks=$(sd_disks | tr '\n' ',')"
say "up killed when the gadget dir appeared: killed=$killed; left: $state"
sed 's/^/    killed up | /' "$SCRATCH/killed-up.out" | tail -n 3
run_tool 0 down $VMID
assert_clean "down after a killed up ($state)"

say "--- down of what a killed up can leave: function with the image attached, not linked"
modprobe dummy_hcd
modprobe libcomposite
modprobe usb_f_mass_storage
mkdir "$G" && echo 0x1d6b > "$G/idVendor" && echo 0x0401 > "$G/idProduct"
mkdir "$G/strings/0x409" "$G/configs/c.1" "$G/configs/c.1/strings/0x409" "$G/functions/mass_storage.0"
echo "$img" > "$G/functions/mass_storage.0/lun.0/file"
run_tool 0 down $VMID
assert_clean "down of an unlinked, unbound gadget"

say "--- down of what a killed up can leave: linked and bound, enumerated"
modprobe dummy_hcd
modprobe libcomposite
modprobe usb_f_mass_storage
mkdir "$G" && echo 0x1d6b > "$G/idVendor" && echo 0x0401 > "$G/idProduct"
mkdir "$G/strings/0x409" "$G/configs/c.1" "$G/configs/c.1/strings/0x409" "$G/functions/mass_storage.0"
echo $SERIAL > "$G/strings/0x409/serialnumber"
echo "$img" > "$G/functions/mass_storage.0/lun.0/file"
ln -s "$G/functions/mass_storage.0" "$G/configs/c.1/"
echo "$(ls /sys/class/udc | head -n 1)" > "$G/UDC"
expect_drive 0x1d6b 0x0401 $SERIAL "$img" 30
run_tool 0 down $VMID
assert_clean "down of a hand-bound gadget"
