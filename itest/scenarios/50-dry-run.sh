#!/bin/bash
# --dry-run changes nothing and prints the steps as a runnable shell script.
set -u
. "$ITEST_DIR/lib/guest-lib.sh"

one_vm 501 ITESTDRY00000501 4 random

say "--- up --dry-run on a host where no gadget module is loaded"
before=$(snapshot)
run_tool 0 up --dry-run $VMID
upscript=$OUT
assert_eq "$before" "$(snapshot)" "up --dry-run changed nothing (configfs, /proc/modules, disks)"
assert_match "$upscript" 'modprobe' "script loads the modules"
assert_match "$upscript" "mkdir .*$GADGET_PREFIX$VMID" "script has mkdir of the gadget"
assert_match "$upscript" "printf '%s.n' 0x1d6b > .*/idVendor" "script has printf '%s\\n' 0x1d6b > .../idVendor"
assert_match "$upscript" "printf '%s.n' 0x0501 > .*/idProduct" "script has printf '%s\\n' 0x0501 > .../idProduct"
assert_match "$upscript" "$SERIAL" "script sets the serial"
assert_match "$upscript" "$img" "script sets the image"
assert_true "the script is valid shell (bash -n)" bash -n <(echo "$upscript")

say "--- the printed script, run by hand, builds the drive"
echo "$upscript" > "$SCRATCH/up.sh"
out=$(bash "$SCRATCH/up.sh" 2>&1)
rc=$?
[ -n "$out" ] && sed 's/^/    up.sh | /' <<< "$out"
assert_eq 0 $rc "running the up --dry-run script"
expect_drive 0x1d6b 0x0501 $SERIAL "$img" 30

say "--- down --dry-run while the gadget is up"
before=$(snapshot)
run_tool 0 down --dry-run $VMID
downscript=$OUT
assert_eq "$before" "$(snapshot)" "down --dry-run changed nothing"
assert_ne "" "$(find_usb_dev 0x1d6b 0x0501 $SERIAL)" "drive still there after down --dry-run"
assert_match "$downscript" "rmdir .*$GADGET_PREFIX$VMID" "script has rmdir of the gadget"
assert_match "$downscript" "UDC" "script unbinds the UDC"
assert_true "the script is valid shell (bash -n)" bash -n <(echo "$downscript")
echo "$downscript" > "$SCRATCH/down.sh"
out=$(bash "$SCRATCH/down.sh" 2>&1)
rc=$?
[ -n "$out" ] && sed 's/^/    down.sh | /' <<< "$out"
assert_eq 0 $rc "running the down --dry-run script"
assert_clean "after the down script"

say "--- up --dry-run with the modules loaded, then a real up and down"
modprobe dummy_hcd
modprobe libcomposite
modprobe usb_f_mass_storage
before=$(snapshot)
run_tool 0 up --dry-run $VMID
assert_eq "$before" "$(snapshot)" "up --dry-run changed nothing"
run_tool 0 up $VMID
expect_drive 0x1d6b 0x0501 $SERIAL "$img" 30
before=$(snapshot)
run_tool 0 up --dry-run $VMID
assert_eq "$before" "$(snapshot)" "up --dry-run of a running gadget changed nothing"
run_tool 0 down $VMID
assert_clean "after down"
