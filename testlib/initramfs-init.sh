#!/bin/busybox sh
# /init of the real-kernel suites' initramfs (busybox only; testlib/guest.sh builds it). It loads the few modules
# needed to reach the host, mounts the host's / read-only over 9p under a tmpfs overlay, the kernel's module tree
# and the suite's output share, and switch_roots into the host's own userland to run the suite's guest runner.
# Kernel parameters (guest_qemu sets them): guest.out=MOUNTPOINT of the output share, guest.run=RUNNER (bash).
/bin/busybox mkdir -p /bin /proc /sys /dev
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2> /dev/null

say() { echo "GUEST INIT $*" > /dev/console; }
die() {
    say "FATAL $*"
    echo o > /proc/sysrq-trigger
    sleep 5
    poweroff -f
}

out=
run=
for w in $(cat /proc/cmdline); do
    case $w in
        guest.out=*) out=${w#guest.out=} ;;
        guest.run=*) run=${w#guest.run=} ;;
    esac
done
[ -n "$out" ] && [ -n "$run" ] || die "no guest.out= and guest.run= on the kernel command line"

for m in $(cat /modules.order); do
    insmod "/m/$m" || say "insmod $m failed"
done

kver=$(uname -r)
opts9p="trans=virtio,version=9p2000.L,msize=512000"
mkdir -p /lower /rw /newroot
mount -t 9p -o "$opts9p,ro,cache=loose" hostroot /lower || die "cannot mount the host root over 9p"
mount -t tmpfs -o mode=0755 tmpfs /rw || die "cannot mount tmpfs"
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot ||
    die "cannot mount the overlay root"
mkdir -p "/newroot/lib/modules/$kver" "/newroot$out"
mount -t 9p -o "$opts9p,ro,cache=loose" kmods "/newroot/lib/modules/$kver" || die "cannot mount the module tree"
mount -t 9p -o "$opts9p" guestout "/newroot$out" || die "cannot mount the output share at $out"
[ -r "/newroot$run" ] || die "guest runner $run not visible"
mount --move /dev /newroot/dev
umount /sys
umount /proc
exec switch_root /newroot /bin/bash "$run"
