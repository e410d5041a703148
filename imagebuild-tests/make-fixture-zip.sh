#!/usr/bin/env bash
# Builds a zip with the unRAID release layout from Debian's packages, for tests of `image create`:
#   bzimage      a Debian kernel (linux-image-*-amd64-unsigned, the QEMU harness's cache reused if present)
#   bzroot       a busybox-static initramfs that prints MARKER on the serial console and powers off
#   syslinux/    Debian's syslinux installer as syslinux_linux, its mbr.bin, ldlinux.c32, menu.c32 ...
#   EFI-/boot/   Debian's syslinux.efi as bootx64.efi with its efi64 modules (UEFI, when syslinux-efi is there)
#   config/      go, ident.cfg, network.cfg (DHCP), and the other top-level files a release has
#   bz*.sha256   the sha256 of each bz* file, as releases have them
# Usage: make-fixture-zip.sh [--report-usb] [--kernel 6.1|6.12|7.x] [--bzroot-mb N] [--rw-mb N] OUT.zip [MARKER]
#   --report-usb  the bzroot loads the kernel's USB host, xHCI and usb-storage modules and prints what it sees:
#                   MARKER usb <dev> <idVendor> <idProduct> <serial> <speed> <class of interface 1.0>   (every device)
#                   MARKER firmware efi|bios                                   (whether UEFI started the kernel)
#                   MARKER disk <sdX> <sectors>                                                     (every USB disk)
#                 before its "MARKER cmdline: ..." line (tests of a VM booting from the drive, itest 90-nested-boot)
#   --kernel L    the kernel of that series, from the real-kernel suites' cache (testlib/guest.sh; default 6.1)
#   --bzroot-mb N bzroot padded to N MiB with random data (an uncompressed cpio archive of /pad.bin after the real
#                 one), so that a firmware has as much to load as from unRAID's bz* files (bench/firmware-load)
#   --rw-mb N     with --report-usb: the bzroot then reads and writes N MiB of the USB disk (dd, 1 MiB blocks, direct
#                 I/O, the write into the disk's last N MiB, beyond the FAT's files) and prints
#                   MARKER rw read|write <bytes> <uptime before> <uptime after>
# Needs: syslinux syslinux-common mtools busybox-static cpio zip (apt-get install them; see install_deps).
set -euo pipefail

report_usb=0
klabel=
bzroot_mb=0
rw_mb=0
while [ $# -gt 0 ]; do
    case $1 in
        --report-usb) report_usb=1 ;;
        --kernel)
            shift
            klabel=${1:?--kernel needs 6.1, 6.12 or 7.x}
            ;;
        --bzroot-mb)
            shift
            bzroot_mb=${1:?--bzroot-mb needs a size in MiB}
            ;;
        --rw-mb)
            shift
            rw_mb=${1:?--rw-mb needs a size in MiB}
            ;;
        *) break ;;
    esac
    shift
done
out=$(realpath -m "${1:?usage: make-fixture-zip.sh [--report-usb] [--kernel L] OUT.zip [MARKER]}")
marker=${2:-PVE-USB-GADGET-BOOT-OK}
cache=${ITEST_CACHE:-/var/cache/pve-usb-gadget-itest}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() {
    echo "make-fixture-zip: $*" >&2
    exit 1
}

find_kernel() {
    local k
    for k in "$cache"/kernels/6.1.0-*-amd64/vmlinuz "$cache"/kernels/*/vmlinuz; do
        [ -f "$k" ] && {
            echo "$k"
            return
        }
    done
    local dl="$cache/image-fixture"
    mkdir -p "$dl"
    k=$(ls "$dl"/x/boot/vmlinuz-* 2> /dev/null | head -1 || true)
    if [ -z "$k" ]; then
        local pkg
        pkg=$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' | awk '{print $1}' | sort -V | tail -1)
        [ -n "$pkg" ] || die "no linux-image-6.1.0-*-amd64-unsigned package found (apt-get update?)"
        (cd "$dl" && apt-get download "$pkg" > /dev/null) || die "apt-get download $pkg failed"
        dpkg -x "$dl"/"$pkg"_*.deb "$dl/x"
        k=$(ls "$dl"/x/boot/vmlinuz-* | head -1)
    fi
    echo "$k"
}

for f in /usr/bin/syslinux /usr/lib/syslinux/mbr/mbr.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 /bin/busybox; do
    [ -e "$f" ] || die "$f missing: apt-get install syslinux syslinux-common busybox-static"
done
command -v zip > /dev/null || die "zip missing: apt-get install zip"
command -v cpio > /dev/null || die "cpio missing: apt-get install cpio"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root="$work/zip"
mkdir -p "$root/syslinux" "$root/config" "$root/EFI-/boot"

ir="$work/initramfs"
mkdir -p "$ir/bin" "$ir/proc" "$ir/dev" "$ir/sys"
if [ $report_usb = 1 ] || [ -n "$klabel" ]; then
    # the kernel and its modules from the suites' cache (downloaded there once)
    GUEST_CACHE=$cache GUEST_NAME=make-fixture-zip
    # shellcheck source=../testlib/debian.sh
    . "$here/../testlib/debian.sh"
    # shellcheck source=../testlib/guest.sh
    . "$here/../testlib/guest.sh"
    klabel=$(guest_label "${klabel:-6.1}")
    guest_kernel "$klabel" > /dev/null || die "no kernel for $klabel"
    cp "$KDIR/vmlinuz" "$root/bzimage"
else
    cp "$(find_kernel)" "$root/bzimage"
fi

# bzroot: busybox initramfs printing the marker
cp /bin/busybox "$ir/bin/busybox"
if [ $report_usb = 1 ]; then
    guest_mod_copy "$KDIR/modroot" "$KVER" "$ir" usbcore xhci-hcd xhci-pci usb-storage sd-mod
    # Waits for a USB device (not a root hub) with an interface and for a disk, then reports every device and every USB disk, as the kernel sees them.
    cat > "$ir/init" << INIT
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "$marker init"
rm -f /pad.bin
for m in \$(cat /modules.order); do insmod /m/\$m 2>/dev/null || echo "$marker insmod \$m failed"; done
a() { cat "\$1" 2>/dev/null || echo -; }
i=0
while [ \$i -lt 600 ] && ! ls -d /sys/bus/usb/devices/*-[1-9]*:1.0 >/dev/null 2>&1; do sleep 0.1; i=\$((i + 1)); done
i=0
while [ \$i -lt 300 ] && ! ls -d /sys/block/sd* >/dev/null 2>&1; do sleep 0.1; i=\$((i + 1)); done
sleep 1
for d in /sys/bus/usb/devices/*; do
    [ -r \$d/idVendor ] || continue
    echo "$marker usb \${d##*/} \$(a \$d/idVendor) \$(a \$d/idProduct) \$(a \$d/serial) \$(a \$d/speed) \$(a \$d/\${d##*/}:1.0/bInterfaceClass)"
done
if [ -d /sys/firmware/efi ]; then echo "$marker firmware efi"; else echo "$marker firmware bios"; fi
for b in /sys/block/sd*; do [ -e \$b ] && echo "$marker disk \${b##*/} \$(a \$b/size)"; done
rw=$rw_mb
b=\$(ls -d /sys/block/sd* 2>/dev/null | head -n 1)
if [ \$rw -gt 0 ] && [ -n "\$b" ]; then
    # busybox's dd prints no rate: the uptime before and after (10 ms resolution)
    u() { read -r x _ < /proc/uptime; echo \$x; }
    t0=\$(u); dd if=/dev/\${b##*/} of=/dev/null bs=1M count=\$rw iflag=direct 2>/dev/null; t1=\$(u)
    echo "$marker rw read \$((\$rw * 1048576)) \$t0 \$t1"
    seek=\$((\$(cat \$b/size) / 2048 - \$rw))
    t0=\$(u); dd if=/dev/zero of=/dev/\${b##*/} bs=1M count=\$rw seek=\$seek oflag=direct 2>/dev/null; t1=\$(u)
    echo "$marker rw write \$((\$rw * 1048576)) \$t0 \$t1"
fi
echo "$marker cmdline: \$(cat /proc/cmdline)"
sync
poweroff -f
INIT
else
    cat > "$ir/init" << INIT
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "$marker cmdline: \$(/bin/busybox cat /proc/cmdline)"
/bin/busybox sync
/bin/busybox poweroff -f
INIT
fi
chmod 755 "$ir/init"
(cd "$ir" && find . | cpio -o -H newc --quiet | gzip -1) > "$root/bzroot"
if [ "$bzroot_mb" -gt 0 ]; then
    # the kernel unpacks concatenated archives, compressed or not, an uncompressed one only at a 4-byte boundary
    # (zeros before it are skipped); /init removes the padding
    truncate -s $((($(stat -c %s "$root/bzroot") + 511) / 512 * 512)) "$root/bzroot"
    pad=$((bzroot_mb * 1048576 - $(stat -c %s "$root/bzroot") - 4096))
    [ $pad -gt 0 ] || die "--bzroot-mb $bzroot_mb is smaller than the bzroot itself"
    mkdir "$work/pad"
    head -c "$pad" /dev/urandom > "$work/pad/pad.bin"
    (cd "$work/pad" && echo pad.bin | cpio -o -H newc --quiet) >> "$root/bzroot"
fi

# The rest of a release's top level (small stand-ins)
for f in bzroot-gui bzmodules bzfirmware memtest; do printf '%s stand-in\n' "$f" > "$root/$f"; done
printf 'Fixture license text.\n' > "$root/license.txt"
printf '# Version 6.12.99 2026-11-21\n\nFixture built from Debian packages for pve-usb-gadget tests.\n' > "$root/changes.txt"
printf '@echo off\r\nrem stand-in\r\n' > "$root/make_bootable.bat"
printf '#!/bin/bash\necho stand-in\n' > "$root/make_bootable_linux"
printf '#!/bin/bash\necho stand-in\n' > "$root/make_bootable_mac"
printf '#!/bin/bash\n# Start the Management Utility\n/usr/local/sbin/emhttp &\n' > "$root/config/go"
printf 'NAME="Tower"\r\nCOMMENT="Media server"\r\n' > "$root/config/ident.cfg"
printf '# Generated settings:\r\nUSE_DHCP="yes"\r\nDHCP_KEEPRESOLV="no"\r\nBONDING="yes"\r\nBRIDGING="yes"\r\n' > "$root/config/network.cfg"

# syslinux: the installer, the MBR and the BIOS modules of one and the same syslinux
cp /usr/bin/syslinux "$root/syslinux/syslinux_linux"
cp /usr/lib/syslinux/mbr/mbr.bin "$root/syslinux/mbr.bin"
for m in ldlinux.c32 menu.c32 libutil.c32 libcom32.c32 mboot.c32 chain.c32; do
    cp "/usr/lib/syslinux/modules/bios/$m" "$root/syslinux/$m"
done
printf '#!/bin/bash\necho stand-in\n' > "$root/syslinux/make_bootable_linux.sh"
cat > "$root/syslinux/syslinux.cfg" << 'CFG'
serial 0 115200
default menu.c32
menu title Lime Technology, Inc.
prompt 0
timeout 10
label Unraid OS
  menu default
  kernel /bzimage
  append console=ttyS0 initrd=/bzroot
label Memtest86+
  kernel /memtest
CFG
# a nested VM's serial console is slow: the kernel quiet, only what /init reports; loglevel=4, not "quiet", which would
# silence syslinux's "Loading /bzimage... ok" too (the firmware benchmark times those)
[ $report_usb = 0 ] || sed -i 's|^  append console=ttyS0 initrd=/bzroot$|& loglevel=4|' "$root/syslinux/syslinux.cfg"
cp "$root/syslinux/syslinux.cfg" "$root/syslinux/syslinux.cfg-"

# EFI-: syslinux.efi as bootx64.efi (UEFI boot once EFI- is renamed EFI)
if [ -f /usr/lib/SYSLINUX.EFI/efi64/syslinux.efi ]; then
    cp /usr/lib/SYSLINUX.EFI/efi64/syslinux.efi "$root/EFI-/boot/bootx64.efi"
    for m in ldlinux.e64 menu.c32 libutil.c32 libcom32.c32; do
        cp "/usr/lib/syslinux/modules/efi64/$m" "$root/EFI-/boot/$m"
    done
    sed 's/^default menu.c32/default menu.c32/' "$root/syslinux/syslinux.cfg" > "$root/EFI-/boot/syslinux.cfg"
else
    printf 'stand-in (install syslinux-efi for a real UEFI loader)\n' > "$root/EFI-/boot/bootx64.efi"
fi

# bz*.sha256: what unRAID's boot (rc.S bzcheck) and `image create` check the bz* files against
for f in bzimage bzroot bzroot-gui bzmodules bzfirmware; do
    sha256sum "$root/$f" | cut -c1-64 > "$root/$f.sha256"
done

rm -f "$out"
(cd "$root" && zip -q -r -X "$out" .)
echo "$out"
