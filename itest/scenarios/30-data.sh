#!/bin/bash
# Data written by the host (what the VM would write) is in the image once `down` returns; a `down`
# racing a write leaves a consistent image and no gadget.
set -u
. "$ITEST_DIR/lib/guest-lib.sh"

one_vm 301 ITESTDATA0000301 32 zero

say "--- write through the drive, then down"
run_tool 0 up $VMID
if expect_drive 0x1d6b 0x0301 $SERIAL "$img" 30; then
    head -c $((4 * 1048576)) /dev/urandom > "$SCRATCH/pattern"
    assert_true "dd 4 MiB at offset 1 MiB (oflag=direct)" \
        dd if="$SCRATCH/pattern" of="$DISK" bs=1M seek=1 oflag=direct status=none
    # a small unaligned-to-MiB write near the end too
    head -c 4096 /dev/urandom > "$SCRATCH/tail"
    assert_true "dd 4 KiB at the last sector (oflag=direct)" \
        dd if="$SCRATCH/tail" of="$DISK" bs=4096 seek=$((32 * 256 - 1)) oflag=direct status=none
fi
run_tool 0 down $VMID
assert_clean "after down"
assert_true "the 4 MiB are in the image after down" \
    cmp "$SCRATCH/pattern" <(dd if="$img" bs=1M skip=1 count=4 status=none)
assert_true "the last 4 KiB are in the image after down" \
    cmp "$SCRATCH/tail" <(dd if="$img" bs=4096 skip=$((32 * 256 - 1)) count=1 status=none)
assert_true "the rest of the image is untouched" \
    cmp <(head -c 1048576 /dev/zero) <(head -c 1048576 "$img")
assert_eq $((32 * 1048576)) "$(stat -c %s "$img")" "image size unchanged"

say "--- down racing a write"
# image of 0x00 sectors; the host writes 0xab sectors while we tear down: every 512-byte sector
# of the image must afterwards be all 0x00 or all 0xab, and the size unchanged.
make_image "$img" 32 zero
head -c 1048576 /dev/zero | tr '\000' '\253' > "$SCRATCH/ab"
run_tool 0 up $VMID
if expect_drive 0x1d6b 0x0301 $SERIAL "$img" 30; then
    # the writer keeps writing 0xab (1 MiB direct writes, varying offsets) until the device goes away
    (
        end=$(($(date +%s) + 240))
        i=0
        while [ "$(date +%s)" -lt "$end" ]; do
            dd if="$SCRATCH/ab" of="$DISK" bs=1M count=1 seek=$(((i * 7) % 24)) oflag=direct conv=notrunc,nocreat status=none || break
            i=$((i + 1))
        done
        echo "writer stopped after $i MiB" > "$SCRATCH/dd.rc"
    ) > "$SCRATCH/dd.out" 2>&1 &
    ddpid=$!
    sleep 1
    run_tool 0 down $VMID
    wait_until 60 test -e "$SCRATCH/dd.rc"
    say "racing writer: $(cat "$SCRATCH/dd.rc" 2> /dev/null); $(tail -n 2 "$SCRATCH/dd.out" | tr '\n' ' ')"
    kill $ddpid 2> /dev/null
    wait $ddpid 2> /dev/null
    assert_true "the racing writer ended" test -e "$SCRATCH/dd.rc"
fi
assert_clean "after a racing down"
assert_eq $((32 * 1048576)) "$(stat -c %s "$img")" "image size unchanged"
assert_true "image readable" sha256sum "$img"
bad=$(od -An -tx1 -w512 "$img" | grep -cvE '^( 00){512}$|^( ab){512}$|^\*$')
assert_eq 0 "$bad" "every sector is either all old (0x00) or all new (0xab)"
say "MiB of 0xab in the image: $(($(tr -d '\000' < "$img" | wc -c) / 1048576))"
