#!/usr/bin/env bash
# Benchmark of `image create` against the write-up's shell pipeline, on the same machine and zip:
# a 2 GiB image from a ~400 MB zip with the unRAID layout (fixture + incompressible bzmodules/bzfirmware, as
# real releases' squashfs/xz payloads are). Prints wall time (median of RUNS interleaved runs, each ending with
# the image fsynced: `sync IMG` for the pipeline, image create's own fsync) and the disk blocks the image occupies (du).
# The write-up's pipeline: dd 2 GB of zeros, partition (sfdisk for fdisk's dialogue), mkfs.vfat, unzip into the
# file system, rename EFI- to EFI, copy ldlinux.c32 to the root, syslinux_linux -ift <offset>, dd mbr.bin.
# Where the kernel cannot mount vfat (sandboxes), its `losetup`+`mount`+`unzip` into the mount is replaced by
# `mkfs.vfat --offset` and `unzip` to a temp dir + `mcopy` (same data written); BENCH_MOUNT=1 forces the mount.
# Usage: imagebuild-tests/bench-image-create.sh [JAR]    (root, for the mount variant only)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
jar=${1:-$here/../target/pve-usb-gadget.jar}
runs=${RUNS:-3}
export PATH=$PATH:/usr/sbin:/sbin
work=$(mktemp -d "${BENCH_DIR:-/var/tmp}/pug-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cd "$work"

"$here/make-fixture-zip.sh" base.zip > /dev/null
mkdir big && (cd big && unzip -q ../base.zip && head -c 300M /dev/urandom > bzmodules &&
    head -c 100M /dev/urandom > bzfirmware && zip -q -r ../unraid-400.zip .)
rm -rf big base.zip
zip_bytes=$(stat -c %s unraid-400.zip)

can_mount() {
    [ "${BENCH_MOUNT:-}" = 1 ] || { truncate -s 64M probe.img && mkfs.vfat probe.img > /dev/null && mkdir -p m &&
        mount -o loop probe.img m 2> /dev/null && umount m; }
    local rc=$?
    rm -f probe.img
    return $rc
}
if can_mount; then mode=mount; else mode=mcopy; fi

writeup() {
    local img=$1 off=1048576
    dd if=/dev/zero of="$img" bs=1M count=2048 status=none
    printf 'label: dos\nstart=2048, type=c, bootable\n' | sfdisk -q "$img" > /dev/null
    rm -rf x && mkdir x && unzip -q unraid-400.zip -d x
    if [ "$mode" = mount ]; then
        local dev
        dev=$(losetup -o $off --show -f "$img")
        mkfs.vfat -F 32 -n UNRAID "$dev" > /dev/null
        mkdir -p m && mount "$dev" m
        cp -r x/. m/ && mv m/EFI- m/EFI && cp m/syslinux/ldlinux.c32 m/
        umount m && losetup -d "$dev"
    else
        mkfs.vfat -F 32 -n UNRAID --offset 2048 "$img" $(((2048 * 1024 - 1024))) > /dev/null
        mv x/EFI- x/EFI && cp x/syslinux/ldlinux.c32 x/
        mcopy -s -Q -m -i "$img@@$off" x/* ::/
    fi
    chmod +x x/syslinux/syslinux_linux
    x/syslinux/syslinux_linux -i -f -t $off "$img"
    dd if=x/syslinux/mbr.bin of="$img" bs=440 count=1 conv=notrunc status=none
    rm -rf x
    sync "$img"
}
# image create fsyncs the image itself before renaming it into place.
ours() { TMPDIR=$work java -jar "$jar" image create --zip unraid-400.zip --output "$1" --size 2G --force > /dev/null; }

time_it() {
    local s e
    s=$(date +%s.%N)
    "$@"
    e=$(date +%s.%N)
    awk "BEGIN{printf \"%.2f\", $e-$s}"
}
median() { sort -n | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

w=() o=()
for i in $(seq "$runs"); do
    rm -f w.img o.img
    w+=("$(time_it writeup w.img)")
    o+=("$(time_it ours o.img)")
    wdu=$(du -k w.img | cut -f1)
    odu=$(du -k o.img | cut -f1)
done
wm=$(printf '%s\n' "${w[@]}" | median)
om=$(printf '%s\n' "${o[@]}" | median)
echo "zip: $((zip_bytes / 1048576)) MiB; image: 2 GiB; runs: $runs interleaved; write-up variant: $mode"
echo "write-up pipeline: ${w[*]} s (median $wm s), image occupies $((wdu / 1024)) MiB"
echo "image create     : ${o[*]} s (median $om s), image occupies $((odu / 1024)) MiB"
echo "ratio time: $(awk "BEGIN{printf \"%.2f\", $om/$wm}"), ratio blocks: $(awk "BEGIN{printf \"%.3f\", $odu/$wdu}")"
