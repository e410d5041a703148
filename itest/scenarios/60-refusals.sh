#!/bin/bash
# Refusals: each exits with the contract's code, prints a message (no stack trace) and leaves no
# half-built gadget behind; gadgets that were already up stay up.
set -u
. "$ITEST_DIR/lib/guest-lib.sh"
host_side_scenario

mk() { # N PID IMAGE [key=value...]: config for VM 600+N with serial ITESTREF000006NN
    local n=$1 pid=$2 image=$3
    shift 3
    write_conf $((600 + n)) image="$image" vendor_id=0x1d6b product_id="$pid" \
        serial="$(printf 'ITESTREF%08d' $((600 + n)))" enumerate_timeout=60 "$@"
}
only_gadgets() { # EXPECTED-LIST MESSAGE: exactly these gadgets in configfs
    assert_eq "$1" "$(all_gadgets | tr '\n' ' ' | sed 's/ $//')" "$2"
}
img_a="$SCRATCH/a.img"
make_image "$img_a" 4 random
img_b="$SCRATCH/b.img"
make_image "$img_b" 4 random
img_c="$SCRATCH/c.img"
make_image "$img_c" 4 random

say "--- missing image"
mk 1 0x0601 "$SCRATCH/does-not-exist.img"
run_pvug 2 up 601
assert_clean_error "missing image"
assert_contains "$OUT" "$SCRATCH/does-not-exist.img" "missing image: the message names the path"
assert_clean "missing image"

say "--- VM 602 up with image a (the gadget the next checks collide with)"
mk 2 0x0602 "$img_a"
run_tool 0 up 602
expect_drive 0x1d6b 0x0602 ITESTREF00000602 "$img_a" 30
a_udc=$(gadget_udc 602)

say "--- image used by another gadget"
mk 3 0x0603 "$img_a"
run_pvug 1 up 603
assert_clean_error "image in use"
assert_contains "$OUT" "$img_a" "image in use: the message names the image"
assert_no_gadget 603 "image in use"
only_gadgets "${GADGET_PREFIX}602" "image in use: only VM 602's gadget"
assert_eq "$a_udc" "$(gadget_udc 602)" "image in use: VM 602 still bound"

say "--- image loop-attached on the host"
loopdev=$(losetup -f --show "$img_b")
say "attached $img_b as $loopdev"
mk 4 0x0604 "$img_b"
run_tool 1 up 604
assert_clean_error "loop-attached image"
assert_no_gadget 604 "loop-attached image"
losetup -d "$loopdev"

say "--- image mounted on the host"
mkfs_ok=0
if command -v mkfs.ext2 > /dev/null || command -v mkfs.vfat > /dev/null; then
    img_m="$SCRATCH/m.img"
    make_image "$img_m" 4 zero
    { mkfs.ext2 -q -F "$img_m" || mkfs.vfat "$img_m"; } > /dev/null 2>&1 && mkfs_ok=1
fi
if [ $mkfs_ok = 1 ] && mkdir -p "$SCRATCH/mnt" && mount -o loop "$img_m" "$SCRATCH/mnt"; then
    mk 5 0x0605 "$img_m"
    run_tool 1 up 605
    assert_clean_error "mounted image"
    assert_no_gadget 605 "mounted image"
    umount "$SCRATCH/mnt"
    losetup -D
else
    say "skipped: cannot make a filesystem here"
fi

say "--- VID:PID of another bound gadget"
mk 6 0x0602 "$img_c"
run_tool 1 up 606
assert_clean_error "duplicate VID:PID"
assert_contains "$OUT" "0602" "duplicate VID:PID: the message names the product id"
assert_no_gadget 606 "duplicate VID:PID"
assert_eq 1 "$(count_usb_dev 0x1d6b 0x0602)" "duplicate VID:PID: one such device on the host"
only_gadgets "${GADGET_PREFIX}602" "duplicate VID:PID: only VM 602's gadget"

say "--- bad config files"
mk 7 0x0607 "$img_c"
chmod 0602 "$CFG/607.conf"
run_tool 2 up 607
assert_clean_error "world-writable config"
assert_contains "$OUT" "607.conf" "world-writable config: the message names the file"
assert_no_gadget 607 "world-writable config"
chmod 0620 "$CFG/607.conf"
run_tool 2 up 607
assert_clean_error "group-writable config"
assert_no_gadget 607 "group-writable config"
chmod 0600 "$CFG/607.conf"
chown 12345:0 "$CFG/607.conf"
run_tool 2 up 607
assert_clean_error "config not owned by root"
assert_no_gadget 607 "config not owned by root"
rm -f "$CFG/607.conf"
mkdir -m 0700 "$CFG/607.conf" # exists but cannot be read as a file
run_tool 2 up 607
assert_clean_error "unreadable config (a directory)"
assert_no_gadget 607 "unreadable config"
rmdir "$CFG/607.conf"
run_tool 2 up 607
assert_clean_error "missing config"
assert_no_gadget 607 "missing config"
mk 7 0x0607 "$img_c" colour=blue
run_tool 2 up 607
assert_clean_error "unknown key"
assert_contains "$OUT" "607.conf" "unknown key: the message names the file"
assert_contains "$OUT" "colour" "unknown key: the message names the key"
assert_match "$OUT" "(line ?|:)7([^0-9]|$)" "unknown key: the message names the line (7)"
assert_no_gadget 607 "unknown key"
mk 7 0x0607 "$img_c" serial=ITESTDUPLICATE01
run_tool 2 up 607
assert_clean_error "duplicate key"
assert_contains "$OUT" "serial" "duplicate key: the message names the key"
mk 7 0x0607 "$img_c" max_speed=warp
run_tool 2 up 607
assert_clean_error "bad value"
assert_contains "$OUT" "max_speed" "bad value: the message names the key"
assert_no_gadget 607 "bad values"
for bad in abc 0 1.5; do
    run_tool 2 up "$bad"
    assert_clean_error "vmid '$bad'"
done
only_gadgets "${GADGET_PREFIX}602" "bad configs: only VM 602's gadget"

run_tool 0 down 602
assert_clean "after down of VM 602"

say "--- no free UDC: dummy_hcd with num=1"
unload_gadget_modules
assert_true "modprobe dummy_hcd num=1" modprobe dummy_hcd num=1
assert_eq 1 "$(ls /sys/class/udc | wc -l)" "one UDC"
mk 8 0x0608 "$img_a"
mk 9 0x0609 "$img_b"
run_tool 0 up 608
expect_drive 0x1d6b 0x0608 ITESTREF00000608 "$img_a" 30
run_tool 1 up 609
assert_clean_error "no free UDC"
assert_no_gadget 609 "no free UDC"
only_gadgets "${GADGET_PREFIX}608" "no free UDC: only VM 608's gadget"
assert_ne "" "$(find_usb_dev 0x1d6b 0x0608 ITESTREF00000608)" "no free UDC: VM 608's drive still there"
run_tool 0 down 608
assert_clean "after down of VM 608"
