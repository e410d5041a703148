#!/bin/bash
# FUA and cache flushes (issue 16, "nothing lost for speed"): what the drive tells the host, and which host
# requests reach the image's stable storage. The image lives on an ext2 file system on the virtio disk /dev/vdb:
# without a journal, the only flushes vdb sees are those an fsync of the image makes, so vdb's flush counter
# tells whether a request reached stable storage. What the kernel's mass-storage function does (our DKMS
# build keeps it): SYNCHRONIZE CACHE fsyncs the image; a WRITE with FUA switches the image to O_SYNC unless the
# LUN has nofua; every WRITE is in the image file (the host's page cache) before its status goes back.
set -u
. "$ITEST_DIR/lib/guest-lib.sh"

spare=/dev/vdb
[ -b $spare ] || die "no virtio disk $spare in this guest (itest/run attaches two)"
mkfs.ext2 -q -F $spare || die "mkfs.ext2 $spare failed"
mnt=/mnt/itest-flush
mkdir -p $mnt
mount -t ext2 $spare $mnt || die "cannot mount $spare"
trap 'umount $mnt 2> /dev/null' EXIT
flushes() { awk '{print $15}' /sys/block/vdb/stat; } # flush requests completed (Linux 5.5+)
[ -n "$(flushes)" ] || die "/sys/block/vdb/stat has no flush counter"
img=$mnt/vm351.img
make_image "$img" 16 zero
sync

# one WRITE(10) of block $2 with FUA through $1 (sg_raw: the Linux host never sets FUA itself, see below)
fua_write() { # DEV LBA
    head -c 512 /dev/urandom > "$SCRATCH/fua-block"
    sg_raw -s 512 -i "$SCRATCH/fua-block" "$1" 2a 08 $(printf '%02x %02x %02x %02x' $(($2 >> 24 & 255)) $(($2 >> 16 & 255)) $(($2 >> 8 & 255)) $(($2 & 255))) 00 00 01 00 > "$SCRATCH/sg.out" 2>&1
}

say "--- the drive's promises: a write cache, no FUA"
write_conf 351 image="$img" vendor_id=0x1d6b product_id=0x0351 serial=ITESTFLUSH000351 enumerate_timeout=60
run_tool 0 up 351
if expect_drive 0x1d6b 0x0351 ITESTFLUSH000351 "$img" 30; then
    sdisk=$(ls -d /sys/block/"${DISK#/dev/}"/device/scsi_disk/* 2> /dev/null | head -n 1)
    # usb-storage has sd skip MODE SENSE page 8 but ask for all pages (0x3f, 192 bytes), which the gadget answers
    # with its caching page (WCE=1); the gadget reports no DPOFUA: the host's sd sends SYNCHRONIZE CACHE for a
    # flush, and never a FUA write
    assert_eq "write back" "$(cat "$sdisk/cache_type")" "the host's sd sees the drive's write cache"
    assert_eq 0 "$(cat "$sdisk/FUA")" "the host's sd sees no FUA support (DPOFUA clear)"

    head -c 262144 /dev/urandom > "$SCRATCH/w1"
    f0=$(flushes)
    assert_true "dd 256 KiB at 1 MiB (oflag=direct, no flush)" \
        dd if="$SCRATCH/w1" of="$DISK" bs=64K seek=16 oflag=direct status=none
    f1=$(flushes)
    assert_eq "$f0" "$f1" "a write without a flush request makes no flush of the image's storage"
    assert_true "a completed WRITE is in the image file at once (the host's page cache)" \
        cmp "$SCRATCH/w1" <(dd if="$img" bs=64K skip=16 count=4 status=none)

    say "--- SYNCHRONIZE CACHE: an fsync on the host's disk flushes the image"
    f0=$(flushes)
    assert_true "dd 256 KiB at 2 MiB with conv=fsync (the host sends SYNCHRONIZE CACHE)" \
        dd if="$SCRATCH/w1" of="$DISK" bs=64K seek=32 oflag=direct conv=fsync status=none
    f1=$(flushes)
    assert_true "SYNCHRONIZE CACHE reaches the image's stable storage (vdb flushes $f0 -> $f1)" test "$f1" -gt "$f0"

    say "--- FUA (nofua=false, the default): the write is synchronous"
    if command -v sg_raw > /dev/null; then
        f0=$(flushes)
        assert_true "WRITE(10) with FUA of block 8192 (sg_raw)" fua_write "$DISK" 8192
        f1=$(flushes)
        assert_true "a FUA write reaches the image's stable storage (vdb flushes $f0 -> $f1)" test "$f1" -gt "$f0"
        assert_true "the FUA block is in the image" \
            cmp "$SCRATCH/fua-block" <(dd if="$img" bs=512 skip=8192 count=1 status=none)
    else
        skip "FUA write: no sg_raw here (apt install sg3-utils)"
    fi
fi
run_tool 0 down 351
assert_clean "after down"

say "--- FUA with nofua=true: the FUA bit is ignored, the write lands in the page cache"
write_conf 351 image="$img" vendor_id=0x1d6b product_id=0x0351 serial=ITESTFLUSH000351 enumerate_timeout=60 nofua=true
run_tool 0 up 351
if expect_drive 0x1d6b 0x0351 ITESTFLUSH000351 "$img" 30; then
    assert_eq 1 "$(attr "$GADGET_ROOT/${GADGET_PREFIX}351/functions/mass_storage.0/lun.0/nofua")" "the LUN has nofua=1"
    if command -v sg_raw > /dev/null; then
        sync
        f0=$(flushes)
        assert_true "WRITE(10) with FUA of block 8200 (sg_raw)" fua_write "$DISK" 8200
        f1=$(flushes)
        assert_eq "$f0" "$f1" "with nofua the FUA write makes no flush"
        assert_true "the block is in the image all the same" \
            cmp "$SCRATCH/fua-block" <(dd if="$img" bs=512 skip=8200 count=1 status=none)
    else
        skip "FUA write with nofua: no sg_raw here (apt install sg3-utils)"
    fi
fi
f0=$(flushes)
run_tool 0 down 351
f1=$(flushes)
assert_clean "after down with nofua"
assert_true "down flushes the image to stable storage (vdb flushes $f0 -> $f1)" test "$f1" -gt "$f0"
umount $mnt
trap - EXIT
