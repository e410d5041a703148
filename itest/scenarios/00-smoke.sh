#!/bin/bash
# Proves the harness, without the jar: a mass-storage gadget built by hand in configfs on dummy_udc.0
# is enumerated by the host (usb-storage + sd_mod), reads back as the image, and tears down cleanly.
set -u
. "$ITEST_DIR/lib/guest-lib.sh"

say "kernel $(uname -r), $(nproc) cpu(s)"
assert_true "modprobe dummy_hcd" modprobe dummy_hcd
assert_true "modprobe libcomposite" modprobe libcomposite
assert_true "modprobe usb_f_mass_storage" modprobe usb_f_mass_storage
say "UDCs: $(ls /sys/class/udc | tr '\n' ' ')"
[ -e /sys/class/udc/dummy_udc.0 ] || die "no dummy_udc.0"
[ -d "$GADGET_ROOT" ] || die "no $GADGET_ROOT (configfs not mounted?)"

img="$SCRATCH/smoke.img"
make_image "$img" 8 random
G="$GADGET_ROOT/itest-smoke"
mkdir "$G" || die "mkdir $G"
echo 0x1d6b > "$G/idVendor"
echo 0x0104 > "$G/idProduct"
mkdir "$G/strings/0x409"
echo ITESTSMOKE0001 > "$G/strings/0x409/serialnumber"
echo itest > "$G/strings/0x409/manufacturer"
echo "Smoke Disk" > "$G/strings/0x409/product"
mkdir "$G/configs/c.1"
mkdir "$G/configs/c.1/strings/0x409"
echo mass-storage > "$G/configs/c.1/strings/0x409/configuration"
mkdir "$G/functions/mass_storage.usb0"
echo 1 > "$G/functions/mass_storage.usb0/lun.0/removable"
echo 0 > "$G/functions/mass_storage.usb0/lun.0/ro"
echo "$img" > "$G/functions/mass_storage.usb0/lun.0/file"
ln -s "$G/functions/mass_storage.usb0" "$G/configs/c.1/"
t0=$(date +%s.%N)
echo dummy_udc.0 > "$G/UDC" || die "bind to dummy_udc.0"
assert_eq dummy_udc.0 "$(cat "$G/UDC")" "gadget bound"

if expect_drive 0x1d6b 0x0104 ITESTSMOKE0001 "$img" 30; then
    t1=$(date +%s.%N)
    say "enumeration + full read took $(awk "BEGIN{printf \"%.1f\", $t1-$t0}")s"
    assert_eq 1d6b "$(cat "$USBDEV/idVendor")" "sysfs idVendor"
    assert_eq 0104 "$(cat "$USBDEV/idProduct")" "sysfs idProduct"
    assert_eq itest "$(cat "$USBDEV/manufacturer")" "sysfs manufacturer"
    assert_eq "Smoke Disk" "$(cat "$USBDEV/product")" "sysfs product"
    assert_eq $((8 * 2048)) "$(cat "/sys/block/${DISK#/dev/}/size")" "disk size in sectors"
    # a write through the host side lands in the image
    head -c 65536 /dev/urandom > "$SCRATCH/chunk"
    dd if="$SCRATCH/chunk" of="$DISK" bs=64k seek=3 oflag=direct conv=fsync status=none
    assert_true "host write visible in the image" cmp -n 65536 "$SCRATCH/chunk" <(dd if="$img" bs=64k skip=3 count=1 status=none)
fi

echo "" > "$G/UDC"
rm "$G/configs/c.1/mass_storage.usb0"
rmdir "$G/configs/c.1/strings/0x409"
rmdir "$G/configs/c.1"
rmdir "$G/functions/mass_storage.usb0"
rmdir "$G/strings/0x409"
rmdir "$G"
assert_false "gadget dir removed" test -e "$G"
assert_true "no sdX left" wait_until 10 no_disks
assert_eq "" "$(find_usb_dev 0x1d6b 0x0104 ITESTSMOKE0001)" "USB device gone"
