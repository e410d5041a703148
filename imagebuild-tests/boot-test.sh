#!/usr/bin/env bash
# End-to-end test of `pve-usb-gadget image create`: builds a zip with the unRAID layout from Debian's packages
# (make-fixture-zip.sh), runs the built jar on it as a user would, checks the image (fsck.vfat -n, label, files,
# partition table, mbr.bin, sparseness, network.cfg, refusals) and boots it in QEMU/TCG as a USB stick
# (qemu-xhci + usb-storage, bootindex=0): SeaBIOS through the zip's syslinux, and UEFI (OVMF) through
# EFI/boot/bootx64.efi, until the fixture kernel's initramfs prints its marker on the serial console.
# Ends with "N passed, N failed"; exits non-zero when anything failed.
# Usage: imagebuild-tests/boot-test.sh [JAR]   (default: target/pve-usb-gadget.jar; `mvn package` first)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
jar=${1:-$repo/target/pve-usb-gadget.jar}
marker=PVE-USB-GADGET-IMAGE-BOOT-$$
boot_timeout=${BOOT_TIMEOUT:-180}
# shellcheck source=../testlib/checks.sh
. "$repo/testlib/checks.sh"
# shellcheck source=../testlib/debian.sh
. "$repo/testlib/debian.sh"

install_deps() {
    local pkgs=(dosfstools mtools syslinux syslinux-common syslinux-efi busybox-static cpio zip unzip qemu-system-x86 ovmf)
    if [ "$(id -u)" -ne 0 ]; then
        dpkg -s "${pkgs[@]}" > /dev/null 2>&1 || {
            echo "missing packages: apt-get install ${pkgs[*]}"
            return 1
        }
    else
        debian_need "${pkgs[@]}"
    fi
}

if ! install_deps; then
    fail "dependencies"
    finish
fi
export PATH=$PATH:/usr/sbin:/sbin
if [ ! -f "$jar" ]; then
    fail "jar $jar missing: run mvn package first"
    finish
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
pug() { java -jar "$jar" "$@"; }

if ! "$here/make-fixture-zip.sh" "$work/unraid.zip" "$marker" > /dev/null; then
    fail "fixture zip"
    finish
fi
pass "fixture zip with the unRAID layout built from Debian's syslinux, kernel and busybox"

# The partition of an image, for the tools that know no offset (fsck.fat).
partition() { dd if="$1" of="$2" bs=1M skip=1 conv=sparse status=none; }
part_ok() { partition "$1" "$work/part.img" && fsck.vfat -n "$work/part.img" > "$work/fsck.out" 2>&1 &&
    ! grep -qiE "differences|dirty|error|fix" "$work/fsck.out" || {
    cat "$work/fsck.out"
    false
}; }
mt() {
    local img=$1
    shift
    MTOOLS_SKIP_CHECK=1 "$@" -i "$img@@1048576"
}
hexbytes() { od -An -tx1 -v -j "$2" -N "$3" "$1" | tr -d ' \n'; }

# --- the image
start=$(date +%s.%N)
if pug image create --zip unraid.zip --output stick.img --size 1G > create.out 2>&1; then
    pass "image create --zip --size 1G ($(awk "BEGIN{printf \"%.1f\", $(date +%s.%N)-$start}") s)"
else
    fail "image create"
    cat create.out
    finish
fi
check "fsck.vfat -n is clean" part_ok stick.img
check "volume label is UNRAID" bash -c "MTOOLS_SKIP_CHECK=1 mlabel -s -i stick.img@@1048576 :: | grep -q 'UNRAID'"
mt stick.img mdir -/ -b -a ::/ > files.txt 2>&1
for f in ::/bzimage ::/bzroot ::/ldlinux.c32 ::/ldlinux.sys ::/syslinux/syslinux.cfg ::/syslinux/mbr.bin \
    ::/EFI/boot/bootx64.efi ::/config/go ::/config/network.cfg ::/make_bootable_linux; do
    check "file ${f#::} present" grep -qx "$f" files.txt
done
check "EFI- renamed EFI (no EFI- left)" bash -c "! grep -q '^::/EFI-' files.txt"
unzip -q unraid.zip -d zipped
for f in bzimage bzroot syslinux/syslinux.cfg config/network.cfg; do
    check "$f identical to the zip's" bash -c "MTOOLS_SKIP_CHECK=1 mtype -i stick.img@@1048576 ::/$f | cmp -s - zipped/$f"
done
table=$(hexbytes stick.img 446 16)
check "partition 1: bootable, type 0x0c, start LBA 2048, to the end ($table)" \
    test "$table" = "80$(hexbytes stick.img 447 3)0c$(hexbytes stick.img 451 3)00080000$(printf '%02x%02x%02x%02x' \
        $(((2097152 - 2048) & 255)) $((((2097152 - 2048) >> 8) & 255)) $((((2097152 - 2048) >> 16) & 255)) 0)"
check "MBR signature 55aa" test "$(hexbytes stick.img 510 2)" = "55aa"
check "first 440 bytes are the zip's mbr.bin" cmp -s -n 440 stick.img zipped/syslinux/mbr.bin
check "other partition entries empty" test "$(hexbytes stick.img 462 48)" = "$(printf '0%.0s' $(seq 96))"
alloc=$(du -k stick.img | cut -f1)
check "image is sparse (${alloc} KiB allocated for 1 GiB, content 10 MiB)" test "$alloc" -lt 65536
check "size is exactly 1 GiB" test "$(stat -c %s stick.img)" -eq 1073741824

# --- boots: SeaBIOS -> the zip's mbr.bin -> the zip's syslinux -> bzimage + bzroot, as a USB stick on xHCI
boot() {
    local name=$1 expect=${BOOT_EXPECT:-}
    shift
    local log="$work/boot-$name.log" start
    start=$(date +%s)
    timeout "$boot_timeout" qemu-system-x86_64 -accel tcg -m 512 -nographic -no-reboot -serial "file:$log" \
        -monitor none -display none "$@" -device qemu-xhci \
        -drive if=none,id=stick,format=raw,file="$work/boot.img" -device usb-storage,drive=stick,bootindex=0 \
        > /dev/null 2>&1 < /dev/null
    if grep -aq "^$marker cmdline:.*initrd=/bzroot.*$expect" "$log"; then
        pass "$name boot from the USB stick reached the zip's kernel+initramfs${expect:+ with $expect}" \
            "($(($(date +%s) - start)) s)"
    else
        fail "$name boot (no marker on the serial console within ${boot_timeout} s); last lines:"
        tail -c 1500 "$log" | tr -d '\r' | tail -15
    fi
}
cp --sparse=always stick.img boot.img
boot "BIOS (SeaBIOS)"
if [ -f /usr/share/OVMF/OVMF_CODE.fd ] && [ "${SKIP_UEFI:-0}" != 1 ]; then
    cp stick.img boot.img
    cp /usr/share/OVMF/OVMF_VARS.fd vars.fd
    boot "UEFI (OVMF)" -drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd \
        -drive if=pflash,format=raw,file="$work/vars.fd"
fi

# --- a label other than UNRAID reaches unRAID's kernel command line as unraidlabel= (BIOS and UEFI configs)
if pug image create --zip unraid.zip --output label.img --size 512M --label FLASH_2 > label.out 2>&1; then
    check "volume label is FLASH_2" bash -c "MTOOLS_SKIP_CHECK=1 mlabel -s -i label.img@@1048576 :: | grep -q 'FLASH_2'"
    labelled() {
        local a
        a=$(mt label.img mtype "::/$1" | tr -d '\r' | grep -i '^ *append ') &&
            ! grep -qv ' unraidlabel=FLASH_2$' <<< "$a"
    }
    for cfg in syslinux/syslinux.cfg EFI/boot/syslinux.cfg; do
        check "$cfg: every append line ends in unraidlabel=FLASH_2" labelled "$cfg"
    done
    cp --sparse=always label.img boot.img
    BOOT_EXPECT="unraidlabel=FLASH_2" boot "BIOS (SeaBIOS), --label FLASH_2,"
    if [ -f /usr/share/OVMF/OVMF_CODE.fd ] && [ "${SKIP_UEFI:-0}" != 1 ]; then
        cp label.img boot.img
        cp /usr/share/OVMF/OVMF_VARS.fd vars.fd
        BOOT_EXPECT="unraidlabel=FLASH_2" boot "UEFI (OVMF), --label FLASH_2," \
            -drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE.fd \
            -drive if=pflash,format=raw,file="$work/vars.fd"
    fi
    rm -f label.img
else
    fail "image create --label FLASH_2"
    cat label.out
fi

# --- static network settings
if pug image create --zip unraid.zip --output net.img --size 512M --network static --address 192.168.7.50/24 \
    --gateway 192.168.7.1 --dns 9.9.9.9 > net.out 2>&1; then
    mt net.img mtype ::/config/network.cfg | tr -d '\r' > network.cfg
    check "network.cfg static settings" bash -c 'grep -qx "USE_DHCP=\"no\"" network.cfg && grep -qx "IPADDR=\"192.168.7.50\"" network.cfg && grep -qx "NETMASK=\"255.255.255.0\"" network.cfg && grep -qx "GATEWAY=\"192.168.7.1\"" network.cfg && grep -qx "DNS_SERVER1=\"9.9.9.9\"" network.cfg && grep -qx "BONDING=\"yes\"" network.cfg'
    check "fsck.vfat -n clean (512M, static network)" part_ok net.img
else
    fail "image create --network static"
    cat net.out
fi

# --- refusals leave nothing behind
refuse() {
    local what=$1 code=$2 out=$3
    shift 3
    local before after rc
    before=$(ls -A "$work" | sort)
    pug "$@" > refuse.out 2>&1
    rc=$?
    after=$(ls -A "$work" | grep -v '^refuse.out$' | sort)
    before=$(echo "$before" | grep -v '^refuse.out$')
    if [ "$rc" -eq "$code" ] && [ "$before" = "$after" ] && [ "$(wc -l < refuse.out)" -eq 1 ] &&
        ! grep -q "Exception" refuse.out && { [ -z "$out" ] || [ ! -e "$out" ]; }; then
        pass "$what: exit $rc, one line, nothing left: $(cat refuse.out)"
    else
        fail "$what: exit $rc (want $code) or files changed:"
        cat refuse.out
    fi
}
mkdir notunraid && echo hi > notunraid/readme.txt && (cd notunraid && zip -q ../plain.zip readme.txt) && rm -r notunraid
refuse "zip without the unRAID layout" 2 new.img image create --zip plain.zip --output new.img
echo "not a zip" > fake.zip
refuse "not a zip at all" 2 new.img image create --zip fake.zip --output new.img
refuse "existing output without --force" 1 "" image create --zip unraid.zip --output stick.img
refuse "size under 512 MiB" 2 new.img image create --zip unraid.zip --output new.img --size 256M
refuse "bad label" 2 new.img image create --zip unraid.zip --output new.img --label unraid
refuse "label unRAID would not find" 2 new.img image create --zip unraid.zip --output new.img --label 'MY DISK'
mkdir tampered && printf 'altered' > tampered/bzroot && cp unraid.zip tampered.zip &&
    (cd tampered && zip -q ../tampered.zip bzroot) && rm -r tampered
refuse "zip with a tampered bzroot" 2 new.img image create --zip tampered.zip --output new.img
refuse "static network without gateway" 2 new.img image create --zip unraid.zip --output new.img --network static \
    --address 10.0.0.5/24
check "existing output untouched" cmp -s stick.img boot.img -n 0
if pug image create --zip unraid.zip --output stick.img --force --size 600M > force.out 2>&1; then
    check "--force replaces the output" test "$(stat -c %s stick.img)" -eq $((600 * 1048576))
else
    fail "--force"
    cat force.out
fi

# --- --dry-run: changes nothing, and its script builds the same kind of image
before=$(ls -A | sort)
if pug image create --zip unraid.zip --output dry.img --size 512M --dry-run > dry.sh 2> dry.err; then
    check "--dry-run changes nothing" test "$before" = "$(ls -A | grep -v '^dry\.\(sh\|err\)$' | sort)"
    if sh dry.sh > dry.out 2>&1; then
        check "the dry-run script builds an image that passes fsck" part_ok dry.img
        check "the dry-run script's image has the zip's mbr.bin and partition table" \
            bash -c "cmp -s -n 440 dry.img zipped/syslinux/mbr.bin && [ \"\$(od -An -tx1 -j 446 -N 1 dry.img | tr -d ' ')\" = 80 ]"
    else
        fail "the dry-run script ran"
        tail -5 dry.out
    fi
else
    fail "--dry-run"
    cat dry.err
fi

finish
