#!/bin/bash
# Issue 7, backing stores: a host block device as `image` (the guest's virtio disks /dev/vda and /dev/vdb, which
# itest/run attaches to every VM). The VM sees exactly the disk and its writes land on it; a disk that is mounted
# (itself or a partition), held by device-mapper, active swap, or opened with O_EXCL by another program is refused
# with one line, and nothing is built.
set -u
. "$ITEST_DIR/lib/guest-lib.sh"

disk=/dev/vda
spare=/dev/vdb
[ -b $disk ] && [ -b $spare ] || die "no virtio disks $disk and $spare in this guest (itest/run attaches two)"

say "--- a whole disk as the image: the host reads the disk, writes through the drive land on it"
dd if=/dev/urandom of=$disk bs=1M count=16 oflag=direct status=none
blockdev --flushbufs $disk
write_conf 801 image=$disk vendor_id=0x1d6b product_id=0x0801 serial=ITESTBLOCK000801 enumerate_timeout=60
run_tool 0 up 801
if expect_drive 0x1d6b 0x0801 ITESTBLOCK000801 $disk 30; then
    head -c 65536 /dev/urandom > "$SCRATCH/chunk"
    assert_true "dd 64 KiB through the drive at offset 3 MiB" \
        dd if="$SCRATCH/chunk" of="$DISK" bs=64K seek=48 oflag=direct conv=notrunc status=none
fi
run_tool 0 down 801
assert_clean "after down of the block-device gadget"
blockdev --flushbufs $disk
assert_true "the 64 KiB are on $disk after down" \
    cmp "$SCRATCH/chunk" <(dd if=$disk bs=64K skip=48 count=1 iflag=direct status=none)

write_conf 802 image=$spare vendor_id=0x1d6b product_id=0x0802 serial=ITESTBLOCK000802 enumerate_timeout=60
refused() { # WHAT EXPECTED-TEXT: up 802 must be refused (exit 1) with that text and leave nothing
    run_tool 1 up 802
    assert_contains "$OUT" "$2" "$1: the refusal says why"
    assert_clean_error "$1"
    assert_no_gadget 802 "$1"
    assert_eq "" "$(sd_disks | tr '\n' ' ')" "$1: no sdX on the host"
}

say "--- active swap on the disk (neither mounted nor held: only O_EXCL tells)"
mkswap $spare > /dev/null
if swapon $spare; then
    refused "swap" "is active swap on the host; turn it off first: swapoff $spare"
    swapoff $spare
else
    fail "swapon $spare failed"
fi

say "--- a program holding the disk with O_EXCL"
perl -MFcntl -e '$| = 1; sysopen(my $fh, $ARGV[0], O_RDONLY | O_EXCL) or die "$!\n"; print "held\n"; sleep 600' $spare \
    > "$SCRATCH/holder.out" 2>&1 &
holder=$!
if wait_until 30 grep -q held "$SCRATCH/holder.out"; then
    refused "O_EXCL holder" "is opened exclusively by something else"
else
    fail "the O_EXCL holder did not start: $(cat "$SCRATCH/holder.out")"
fi
kill $holder
wait $holder 2> /dev/null

say "--- the disk mounted"
wipefs -a -q $spare
mkfs.ext2 -q -F $spare > /dev/null
mkdir -p "$SCRATCH/mnt"
if mount $spare "$SCRATCH/mnt"; then
    refused "mounted disk" "is mounted on $SCRATCH/mnt"
    umount "$SCRATCH/mnt"
else
    fail "mount $spare failed"
fi

say "--- a partition of the disk mounted"
wipefs -a -q $spare
if printf 'label: dos\n,8M,L\n,,L\n' | sfdisk -q $spare > /dev/null && wait_until 10 test -b ${spare}1; then
    mkfs.ext2 -q -F ${spare}1 > /dev/null
    if mount ${spare}1 "$SCRATCH/mnt"; then
        refused "mounted partition" "block device ${spare}1"
        umount "$SCRATCH/mnt"
    else
        fail "mount ${spare}1 failed"
    fi
else
    fail "could not partition $spare with sfdisk"
fi

say "--- the disk held by device-mapper"
wipefs -a -q $spare
blockdev --rereadpt $spare 2> /dev/null
modprobe dm_mod 2> /dev/null
if dmsetup create itest-hold --table "0 2048 linear $spare 0" 2> "$SCRATCH/dm.err"; then
    refused "device-mapper holder" "is held by dm-"
    dmsetup remove itest-hold
else
    fail "dmsetup create failed: $(cat "$SCRATCH/dm.err")"
fi

say "--- released again, the same disk is accepted"
dd if=/dev/urandom of=$spare bs=1M count=4 oflag=direct status=none
blockdev --flushbufs $spare
run_tool 0 up 802
expect_drive 0x1d6b 0x0802 ITESTBLOCK000802 $spare 30
run_tool 0 down 802
assert_clean "end of 80-block-device"
