# shellcheck shell=bash
# QEMU guests of the real-kernel suites (itest/run, bench/run): Debian's kernels from a cache, an initramfs that boots
# into this machine's own userland (read-only 9p under a tmpfs overlay), and the QEMU command line.
#
#   . testlib/debian.sh; . testlib/guest.sh
#   GUEST_CACHE                  the kernel cache: debs/ and kernels/KVER/ (/var/cache/pve-usb-gadget-itest)
#   GUEST_NAME                   the prefix of its messages on stderr (guest)
#   guest_label LABEL            7.x -> the 7.N series of the day (see below); 6.1, 6.12, 7.N stay as they are
#   guest_trixie_lists           fetches the package lists of trixie and trixie-backports once (call it in the main
#                                shell before guest_label/guest_kernel of a 7.x kernel run in subshells)
#   guest_kernel LABEL [KVER]    sets KVER and KDIR (KDIR/vmlinuz, KDIR/modroot/lib/modules/KVER, KDIR/initrd.img):
#                                the newest kernel of the series (or KVER), downloaded and unpacked once
#   guest_mod_closure MODROOT KVER NAME...   the module files (relative paths) to insmod for NAME..., in load order
#   guest_mod_copy MODROOT KVER DEST NAME... those modules, uncompressed, as DEST/m/NN-NAME.ko, and their names in load
#                                order in DEST/modules.order (an initramfs insmods them in that order)
#   guest_qemu_cmd SMP MEM MODROOT OUT AT RUNNER [QEMU-ARGS...]
#                                sets GUEST_QEMU to the QEMU command line (run it with stdin from /dev/null) that boots
#                                KDIR's kernel and KDIR/initrd.img under TCG (GUEST_ACCEL=kvm: KVM; GUEST_CPU) with this
#                                machine's / as its root (read-only, under a tmpfs overlay), MODROOT as /lib/modules/KVER,
#                                the folder OUT (read-write) at AT, and runs "bash RUNNER" there as PID 1 (see
#                                initramfs-init.sh); the serial console on stdout. GUEST_APPEND: more kernel parameters
#                                (ending in a space)
#
# Kernels: 6.1 and 6.12 from this machine's (Debian 12) package lists, linux-image-KVER-unsigned; 7.N from trixie-backports
# through a package state of its own ($GUEST_CACHE/apt-trixie, testlib/debian.sh; never this machine's sources),
# linux-image-KVER with its parts linux-binary-KVER (vmlinuz), linux-modules-KVER and linux-base-KVER. 7.x is the series
# of ITEST_KVER_7_N when that is set (module-src/ci-build.sh writes it for the kernel it built for), else the newest
# of trixie-backports, else the newest in the cache. ITEST_KVER_<X_Y> picks the kernel of a series, ITEST_KPKG_<X_Y>
# its package.
GUEST_CACHE=${GUEST_CACHE:-/var/cache/pve-usb-gadget-itest}
GUEST_NAME=${GUEST_NAME:-guest}
GUEST_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

guest_log() { echo "$GUEST_NAME: $*" >&2; }

_guest_re() { printf '%s' "$1" | sed 's/[.+]/\\&/g'; } # a literal as an extended regular expression

GUEST_TRIXIE_RC=
guest_trixie_lists() {
    if [ -z "$GUEST_TRIXIE_RC" ]; then
        GUEST_TRIXIE_RC=0
        debian_apt_state "$GUEST_CACHE/apt-trixie" trixie trixie-backports || {
            GUEST_TRIXIE_RC=1
            guest_log "cannot fetch the package lists of trixie and trixie-backports (offline?)"
        }
    fi
    return "$GUEST_TRIXIE_RC"
}

_guest_apt() { # LABEL TOOL ARGS...: apt-get or apt-cache with the package lists that have that kernel
    local label=$1
    shift
    case $label in
        7.*) guest_trixie_lists && debian_apt "$GUEST_CACHE/apt-trixie" "$@" ;;
        *) "$@" ;;
    esac
}

_guest_cached() { # REGEX: the newest package in the cache whose name matches
    ls "$GUEST_CACHE/debs" 2> /dev/null | sed 's/_.*//' | grep -E "$1" | sort -V | tail -n 1
}

guest_label() { # LABEL
    local v p
    [ "$1" = 7.x ] || {
        echo "$1"
        return
    }
    guest_trixie_lists || true
    for v in $(compgen -v ITEST_KVER_7_); do
        [[ ${!v} =~ ^(7\.[0-9]+)\. ]] && {
            echo "${BASH_REMATCH[1]}"
            return
        }
    done
    p=$(guest_trixie_lists && debian_newest "$GUEST_CACHE/apt-trixie" '^linux-image-7\.[0-9]+\.[0-9]+\+deb13-amd64(-unsigned)?$')
    [ -n "$p" ] || p=$(_guest_cached '^linux-image-7\.')
    if [[ $p =~ ^linux-image-(7\.[0-9]+)\. ]]; then echo "${BASH_REMATCH[1]}"; else echo 7.x; fi
}

_guest_pkg() { # LABEL [KVER]: the kernel's linux-image package
    local label=$1 kver=${2:-} var re p
    var="ITEST_KPKG_${label//./_}"
    if [ -n "${!var:-}" ]; then
        echo "${!var}"
        return
    fi
    var="ITEST_KVER_${label//./_}"
    kver=${kver:-${!var:-}}
    case $label in
        6.1) re='^linux-image-6\.1\.0-[0-9]+-amd64(-unsigned)?$' ;;
        6.12) re='^linux-image-6\.12\.[0-9]+\+deb12-amd64(-unsigned)?$' ;;
        *) re="^linux-image-$(_guest_re "$label")\.[0-9]+\+deb13-amd64(-unsigned)?\$" ;;
    esac
    [ -z "$kver" ] || re="^linux-image-$(_guest_re "$kver")(-unsigned)?\$"
    p=$(_guest_apt "$label" apt-cache search --names-only "$re" 2> /dev/null | cut -d' ' -f1 | grep -E "$re" | sort -V | tail -n 1)
    if [ -z "$p" ] && [ "${label%%.*}" = 6 ]; then
        apt-get update -q > /dev/null 2>&1 || true
        p=$(apt-cache search --names-only "$re" 2> /dev/null | cut -d' ' -f1 | grep -E "$re" | sort -V | tail -n 1)
    fi
    [ -n "$p" ] || p=$(_guest_cached "$re") # offline
    echo "$p"
}

_guest_deb() { # LABEL PKG: the cached .deb of PKG, downloaded once
    local deb
    deb=$(ls "$GUEST_CACHE/debs/${2}_"*.deb 2> /dev/null | sort -V | tail -n 1)
    if [ -z "$deb" ]; then
        guest_log "downloading $2"
        (cd "$GUEST_CACHE/debs" && _guest_apt "$1" apt-get download "$2" > /dev/null 2>&1) ||
            {
                guest_log "apt-get download $2 failed"
                return 1
            }
        deb=$(ls "$GUEST_CACHE/debs/${2}_"*.deb | sort -V | tail -n 1)
    fi
    echo "$deb"
}

_guest_debs() { # LABEL PKG KVER: the .debs of the kernel: PKG, and its parts when it has no vmlinuz itself
    local p deb parts=()
    deb=$(_guest_deb "$1" "$2") || return 1
    echo "$deb"
    dpkg-deb -c "$deb" | grep '/vmlinuz' > /dev/null && return 0 # not grep -q: its broken pipe fails the pipeline
    read -r -a parts <<< "$(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/ *(.*//; s/^ *//' |
        grep -E "^linux-(binary|modules|base)-$(_guest_re "$3")\$" | tr '\n' ' ')"
    [ ${#parts[@]} -gt 0 ] || {
        guest_log "$2 has no vmlinuz and depends on no linux-binary-$3"
        return 1
    }
    for p in "${parts[@]}"; do _guest_deb "$1" "$p" || return 1; done
}

guest_kernel() { # LABEL [KVER]
    local label=$1 pkg debs deb tmp m
    mkdir -p "$GUEST_CACHE/debs" "$GUEST_CACHE/kernels"
    pkg=$(_guest_pkg "$label" "${2:-}")
    [ -n "$pkg" ] || {
        guest_log "no linux-image package found for $label"
        return 1
    }
    KVER=${pkg#linux-image-}
    KVER=${KVER%-unsigned}
    KDIR=$GUEST_CACHE/kernels/$KVER
    if [ ! -f "$KDIR/.extracted" ]; then
        debs=$(_guest_debs "$label" "$pkg" "$KVER") || return 1
        rm -rf "$KDIR"
        mkdir -p "$KDIR/modroot/lib"
        tmp=$(mktemp -d "$GUEST_CACHE/x.XXXXXX")
        for deb in $debs; do
            guest_log "extracting ${deb##*/}"
            dpkg-deb -x "$deb" "$tmp"
        done
        # /usr/lib/modules in merged-/usr packages (and the vmlinuz there in trixie's 7.x), /lib/modules before
        m=$tmp/lib/modules
        [ -d "$tmp/usr/lib/modules/$KVER" ] && m=$tmp/usr/lib/modules
        if [ -f "$m/$KVER/vmlinuz" ]; then mv "$m/$KVER/vmlinuz" "$KDIR/vmlinuz"; else cp "$tmp/boot/vmlinuz-$KVER" "$KDIR/vmlinuz"; fi
        mv "$m" "$KDIR/modroot/lib/modules"
        rm -rf "$tmp"
        depmod -b "$KDIR/modroot" "$KVER"
        touch "$KDIR/.extracted"
    fi
    _guest_initrd
}

guest_mod_closure() { # MODROOT KVER NAME...
    local root=$1/lib/modules/$2 name line deps d i seen=" "
    shift 2
    for name in "$@"; do
        line=$(grep -E "(^|/)${name//-/[-_]}\.ko(\.xz|\.zst|\.gz)?:" "$root/modules.dep" || true)
        [ -n "$line" ] || continue # built into this kernel
        read -r -a deps <<< "${line#*:}"
        for ((i = ${#deps[@]} - 1; i >= 0; i--)); do
            d=${deps[i]}
            case $seen in *" $d "*) ;; *) echo "$d" && seen+="$d " ;; esac
        done
        d=${line%%:*}
        case $seen in *" $d "*) ;; *) echo "$d" && seen+="$d " ;; esac
    done
}

guest_mod_copy() { # MODROOT KVER DEST NAME...
    local modroot=$1 kver=$2 mods=$1/lib/modules/$2 dest=$3 m n i=0
    shift 3
    mkdir -p "$dest/m"
    : > "$dest/modules.order"
    while read -r m; do
        i=$((i + 1))
        n=$(printf '%02d-%s' "$i" "${m##*/}")
        n=${n%.xz} n=${n%.zst} n=${n%.gz}
        case $m in
            *.xz) xz -dc "$mods/$m" > "$dest/m/$n" ;;
            *.zst) zstd -dcq "$mods/$m" > "$dest/m/$n" ;;
            *.gz) gzip -dc "$mods/$m" > "$dest/m/$n" ;;
            *) cp "$mods/$m" "$dest/m/$n" ;;
        esac
        echo "$n" >> "$dest/modules.order"
    done < <(guest_mod_closure "$modroot" "$kver" "$@")
}

# KDIR/initrd.img: busybox, initramfs-init.sh and the modules it needs to reach the host; made again when either changed
_guest_initrd() {
    local stamp tmp
    stamp=$(cat "$GUEST_LIB/initramfs-init.sh" /bin/busybox | sha256sum | cut -c1-16) # contents, not paths
    [ -f "$KDIR/initrd.img" ] && [ "$(cat "$KDIR/initrd.stamp" 2> /dev/null)" = "$stamp" ] && return 0
    guest_log "building the initramfs for $KVER"
    tmp=$(mktemp -d)
    mkdir -p "$tmp/bin" "$tmp/m" "$tmp/proc" "$tmp/sys" "$tmp/dev"
    cp /bin/busybox "$tmp/bin/busybox"
    cp "$GUEST_LIB/initramfs-init.sh" "$tmp/init"
    chmod 0755 "$tmp/init"
    guest_mod_copy "$KDIR/modroot" "$KVER" "$tmp" virtio_pci 9pnet_virtio 9p overlay
    (cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) > "$KDIR/initrd.img.new"
    mv "$KDIR/initrd.img.new" "$KDIR/initrd.img"
    echo "$stamp" > "$KDIR/initrd.stamp"
    rm -rf "$tmp"
}

guest_qemu_cmd() { # SMP MEM MODROOT OUT AT RUNNER [QEMU-ARGS...]
    local smp=$1 mem=$2 modroot=$3 out=$4 at=$5 runner=$6 accel
    shift 6
    if [ "${GUEST_ACCEL:-tcg}" = kvm ]; then accel=(-accel kvm -cpu host); else accel=(-accel tcg,thread=multi -cpu "${GUEST_CPU:-max}"); fi
    GUEST_QEMU=(qemu-system-x86_64 "${accel[@]}" -smp "$smp" -m "$mem"
        -display none -monitor none -serial stdio -no-reboot -nic none
        -kernel "$KDIR/vmlinuz" -initrd "$KDIR/initrd.img"
        -append "console=ttyS0 panic=1 quiet loglevel=1 tsc=reliable ${GUEST_APPEND:-}guest.out=$at guest.run=$runner"
        -virtfs local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap
        -virtfs "local,path=$modroot,mount_tag=kmods,security_model=none,readonly=on,multidevs=remap"
        -virtfs "local,path=$out,mount_tag=guestout,security_model=none"
        "$@")
}
