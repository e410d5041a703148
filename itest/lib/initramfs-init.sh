#!/bin/busybox sh
# /init of the itest initramfs (busybox only). It loads the few modules needed to reach the host,
# mounts the host's / read-only over 9p under a tmpfs overlay, mounts the kernel's module tree and
# the harness' output share, and switch_roots into the host's own userland to run the guest runner.
# Written by itest/run; runs as PID 1 inside the QEMU guest.
/bin/busybox mkdir -p /bin /proc /sys /dev
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null

say() { echo "ITEST INIT $*" > /dev/console; }
die() {
  say "FATAL $*"
  echo o > /proc/sysrq-trigger
  sleep 5
  poweroff -f
}

for m in $(cat /modules.order); do
  insmod "/m/$m" || say "insmod $m failed"
done

kver=$(uname -r)
opts9p="trans=virtio,version=9p2000.L,msize=512000"
mkdir -p /lower /rw /newroot
mount -t 9p -o "$opts9p,ro,cache=loose" hostroot /lower || die "cannot mount the host root over 9p"
mount -t tmpfs -o mode=0755 tmpfs /rw || die "cannot mount tmpfs"
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot \
  || die "cannot mount the overlay root"
mkdir -p "/newroot/lib/modules/$kver" /newroot/itest-out
mount -t 9p -o "$opts9p,ro,cache=loose" kmods "/newroot/lib/modules/$kver" || die "cannot mount the module tree"
mount -t 9p -o "$opts9p" itestout /newroot/itest-out || die "cannot mount the output share"
[ -r /newroot/itest-out/guest.env ] || die "no guest.env in the output share"
. /newroot/itest-out/guest.env
[ -r "/newroot$ITEST_DIR/lib/guest-run.sh" ] || die "guest runner $ITEST_DIR/lib/guest-run.sh not visible"
mount --move /dev /newroot/dev
umount /sys
umount /proc
exec switch_root /newroot /bin/bash "$ITEST_DIR/lib/guest-run.sh"
