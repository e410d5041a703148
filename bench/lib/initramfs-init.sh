#!/bin/busybox sh
# /init of the benchmark's initramfs (busybox only): loads virtio/9p/overlay, mounts this
# machine's / read-only over 9p under a tmpfs overlay, the kernel's module tree and the
# output share, and switch_roots into the machine's own userland to run guest-bench.sh.
/bin/busybox mkdir -p /bin /proc /sys /dev
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
die() { echo "BENCH FATAL $*" > /dev/console; echo o > /proc/sysrq-trigger; sleep 5; poweroff -f; }
for m in $(cat /modules.order); do insmod "/m/$m" || echo "BENCH INFO insmod $m failed" > /dev/console; done
kver=$(uname -r)
o="trans=virtio,version=9p2000.L,msize=512000"
mkdir -p /lower /rw /newroot
mount -t 9p -o "$o,ro,cache=loose" hostroot /lower || die "cannot mount the host root"
mount -t tmpfs -o mode=0755 tmpfs /rw || die "tmpfs"
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot || die "overlay"
mkdir -p "/newroot/lib/modules/$kver" /newroot/bench-out
mount -t 9p -o "$o,ro,cache=loose" kmods "/newroot/lib/modules/$kver" || die "module tree"
mount -t 9p -o "$o" benchout /newroot/bench-out || die "output share"
. /newroot/bench-out/guest.env
mount --move /dev /newroot/dev
umount /sys
umount /proc
exec switch_root /newroot /bin/bash "$BENCH_DIR/lib/guest-bench.sh"
