#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# prepare-source.sh - find the kernel's dummy_hcd.c for a target kernel, make sure it
# schedules transfers with an hrtimer, and write it where Kbuild builds it; and, where
# the same kind of source has them, the kernel's usb_f_mass_storage sources with deeper
# buffering (mass-storage-patch.pl).
#
#   prepare-source.sh [--kernelver KVER] [--kernel-dir KDIR] [--out DIR]
#   prepare-source.sh --probe-mass-storage [--kernelver KVER] [--kernel-dir KDIR]
#       exit 0 if usb_f_mass_storage's sources are to be had for KVER (dkms.conf asks,
#       to list the module; a tarball is trusted to hold them, nothing is extracted)
#
# KVER defaults to $kernelver (set by DKMS) or `uname -r`, KDIR to
# /lib/modules/KVER/build, DIR to this script's directory. Writes DIR/dummy_hcd_main.c,
# DIR/dummy_hcd_info.c and DIR/source-info.txt, and (when found) DIR/f_mass_storage.c,
# storage_common.[ch], f_mass_storage.h, configfs.h and usb_f_mass_storage_info.c.
# The mass-storage sources come from the dummy_hcd source's own tree or tarball, else
# (a single dummy_hcd.c, a download) from linux-source-MAJOR.MINOR, the cache or a
# download; none found is not an error: only dummy_hcd is built then.
#
# Where the source comes from, first match wins:
#   1. DUMMY_HCD_SOURCE: a dummy_hcd.c file, a kernel tree (folder) or a kernel tarball
#      (used as given, whatever its version; an unusable value is an error, no fallback)
#   2. /usr/src/linux-source-MAJOR.MINOR.tar.{xz,bz2,gz,zst} or the unpacked
#      /usr/src/linux-source-MAJOR.MINOR/ (Debian's and Ubuntu's linux-source packages)
#   3. the download cache, then a download of drivers/usb/gadget/udc/dummy_hcd.c for
#      the upstream stable tag vMAJOR.MINOR.SUBLEVEL (then vMAJOR.MINOR), URL template in
#      source.conf; downloads are kept in the cache so rebuilds work offline.
# Settings (environment, else /etc/default/pve-usb-gadget-dummy-hcd, else defaults):
#   DUMMY_HCD_SOURCE, DUMMY_HCD_URL_TEMPLATE, DUMMY_HCD_OFFLINE=1 (no download),
#   DUMMY_HCD_CACHE (/var/cache/pve-usb-gadget-dummy-hcd),
#   DUMMY_HCD_LINUX_SOURCE_DIR (/usr/src), DUMMY_HCD_KERNEL_VERSION (override X.Y.Z).
set -u
set -o pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
PROG=prepare-source.sh
KVER=${kernelver:-}
KDIR=
OUT=$HERE
PROBE=0

die() {
    echo "$PROG: error: $*" >&2
    exit 1
}
say() { echo "$PROG: $*"; }

while [ $# -gt 0 ]; do
    case "$1" in
        --kernelver)
            KVER=$2
            shift 2
            ;;
        --kernel-dir)
            KDIR=$2
            shift 2
            ;;
        --out)
            OUT=$2
            shift 2
            ;;
        --probe-mass-storage)
            PROBE=1
            shift
            ;;
        -h | --help)
            sed -n '3,38p' "$0"
            exit 0
            ;;
        *)
            echo "$PROG: unknown argument: $1" >&2
            exit 2
            ;;
    esac
done
[ -n "$KVER" ] || KVER=$(uname -r)
[ -n "$KDIR" ] || KDIR=/lib/modules/$KVER/build

# Settings: environment > /etc/default file > source.conf defaults.
CONF_FILE=${DUMMY_HCD_CONF:-/etc/default/pve-usb-gadget-dummy-hcd}
_env_source=${DUMMY_HCD_SOURCE-__unset__}
_env_url=${DUMMY_HCD_URL_TEMPLATE-__unset__}
_env_offline=${DUMMY_HCD_OFFLINE-__unset__}
_env_cache=${DUMMY_HCD_CACHE-__unset__}
if [ -r "$CONF_FILE" ]; then
    # shellcheck disable=SC1090
    . "$CONF_FILE"
fi
[ "$_env_source" = __unset__ ] || DUMMY_HCD_SOURCE=$_env_source
[ "$_env_url" = __unset__ ] || DUMMY_HCD_URL_TEMPLATE=$_env_url
[ "$_env_offline" = __unset__ ] || DUMMY_HCD_OFFLINE=$_env_offline
[ "$_env_cache" = __unset__ ] || DUMMY_HCD_CACHE=$_env_cache
# shellcheck disable=SC1091
[ -r "$HERE/source.conf" ] && . "$HERE/source.conf"
DUMMY_HCD_SOURCE=${DUMMY_HCD_SOURCE:-}
DUMMY_HCD_URL_TEMPLATE=${DUMMY_HCD_URL_TEMPLATE-${DUMMY_HCD_URL_TEMPLATE_DEFAULT:-}}
DUMMY_HCD_OFFLINE=${DUMMY_HCD_OFFLINE:-0}
DUMMY_HCD_CACHE=${DUMMY_HCD_CACHE:-/var/cache/pve-usb-gadget-dummy-hcd}
SRCDIR=${DUMMY_HCD_LINUX_SOURCE_DIR:-/usr/src}
REL=drivers/usb/gadget/udc/dummy_hcd.c

# ---------------------------------------------------------------- kernel version
kernel_version() {
    local vh=$KDIR/include/generated/uapi/linux/version.h maj min sub code
    if [ -n "${DUMMY_HCD_KERNEL_VERSION:-}" ]; then
        echo "$DUMMY_HCD_KERNEL_VERSION"
        return
    fi
    if [ -r "$vh" ]; then
        maj=$(sed -n 's/^#define LINUX_VERSION_MAJOR \([0-9]*\).*/\1/p' "$vh")
        min=$(sed -n 's/^#define LINUX_VERSION_PATCHLEVEL \([0-9]*\).*/\1/p' "$vh")
        sub=$(sed -n 's/^#define LINUX_VERSION_SUBLEVEL \([0-9]*\).*/\1/p' "$vh")
        if [ -n "$maj" ] && [ -n "$min" ] && [ -n "$sub" ]; then
            echo "$maj.$min.$sub"
            return
        fi
        code=$(sed -n 's/^#define LINUX_VERSION_CODE \([0-9]*\).*/\1/p' "$vh")
        if [ -n "$code" ]; then
            # SUBLEVEL is clamped to 255 in LINUX_VERSION_CODE; the Makefile knows better
            echo "$((code >> 16)).$(((code >> 8) & 255)).$((code & 255))"
            return
        fi
    fi
    if [[ $KVER =~ ^([0-9]+)\.([0-9]+)(\.([0-9]+))? ]]; then
        echo "${BASH_REMATCH[1]}.${BASH_REMATCH[2]}.${BASH_REMATCH[4]:-0}"
        return
    fi
    return 1
}

KV=$(kernel_version) || die "cannot tell the version of kernel '$KVER' (no $KDIR/include/generated/uapi/linux/version.h); set DUMMY_HCD_KERNEL_VERSION=X.Y.Z"
[[ $KV =~ ^([0-9]+)\.([0-9]+)\.([0-9]+)$ ]] || die "bad kernel version '$KV'"
MAJ=${BASH_REMATCH[1]} MIN=${BASH_REMATCH[2]} SUB=${BASH_REMATCH[3]}
MM=$MAJ.$MIN
[ $PROBE = 1 ] || say "kernel $KVER is upstream $KV (headers: $KDIR)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/dummy_hcd-prepare.XXXXXX") || die "mktemp failed"
trap 'rm -rf "$WORK"' EXIT

FOUND=       # path of the chosen dummy_hcd.c
TREE_GADGET= # drivers/usb/gadget of the tree or tarball it came from, if any
# usb_f_mass_storage's sources, relative to drivers/usb/gadget
MS_FILES=(function/f_mass_storage.c function/f_mass_storage.h function/storage_common.c function/storage_common.h configfs.h)
ORIGIN=      # how it was found
SRC_VERSION= # upstream version of the source, if known
tried=()

# version of a kernel tree from its top Makefile
tree_version() {
    local mk=$1/Makefile v p s
    [ -r "$mk" ] || return 1
    v=$(sed -n 's/^VERSION = \([0-9]*\)/\1/p' "$mk" | head -1)
    p=$(sed -n 's/^PATCHLEVEL = \([0-9]*\)/\1/p' "$mk" | head -1)
    s=$(sed -n 's/^SUBLEVEL = \([0-9]*\)/\1/p' "$mk" | head -1)
    [ -n "$v" ] && [ -n "$p" ] || return 1
    echo "$v.$p.${s:-0}"
}

looks_like_dummy_hcd() {
    grep -q 'struct dummy_hcd' "$1" 2> /dev/null && grep -q 'MODULE_LICENSE' "$1" 2> /dev/null
}

# extract dummy_hcd.c (and the top Makefile, for the version) from a kernel tarball
from_tarball() {
    local tb=$1 d=$WORK/tar.$RANDOM f mk
    mkdir -p "$d"
    say "extracting $REL from $tb"
    # one pass; a missing top Makefile is not an error
    tar -xf "$tb" -C "$d" --wildcards "*$REL" $(printf ' *drivers/usb/gadget/%s' "${MS_FILES[@]}") \
        --no-wildcards-match-slash '*/Makefile' 2> /dev/null
    f=$(find "$d" -path "*/$REL" -type f | head -1)
    [ -n "$f" ] || return 1
    mk=$(dirname "$(dirname "$(dirname "$(dirname "$(dirname "$f")")")")")
    TREE_GADGET=$mk/drivers/usb/gadget
    SRC_VERSION=$(tree_version "$mk" || true)
    FOUND=$f
}

from_tree() {
    local t=$1
    if [ -f "$t/$REL" ]; then
        FOUND=$t/$REL
        SRC_VERSION=$(tree_version "$t" || true)
        TREE_GADGET=$t/drivers/usb/gadget
    elif [ -f "$t/dummy_hcd.c" ]; then
        FOUND=$t/dummy_hcd.c
    else
        return 1
    fi
}

is_tarball() {
    case "$1" in *.tar | *.tar.* | *.tgz | *.tbz2 | *.txz) return 0 ;; esac
    return 1
}

fetch() { # URL DEST
    if command -v curl > /dev/null 2>&1; then
        curl -fsSL --connect-timeout 15 --max-time 120 --retry 1 -o "$2" "$1"
    elif command -v wget > /dev/null 2>&1; then
        wget -q -T 15 -t 2 -O "$2" "$1"
    else
        echo "$PROG: neither curl nor wget is installed" >&2
        return 1
    fi
}
tagver() {
    local v=${1#v}
    [[ $v == *.*.* ]] && echo "$v" || echo "$v.0"
}
# ---------------------------------------------------------------- usb_f_mass_storage sources
MS_DIR=         # a drivers/usb/gadget-shaped folder holding MS_FILES
MS_ORIGIN=      # where they came from
ms_complete() { # DIR: all of MS_FILES there (DIR is drivers/usb/gadget of a tree)
    local f
    for f in "${MS_FILES[@]}"; do [ -f "$1/$f" ] || return 1; done
}
ms_flat() { # DIR holding the five files side by side (beside a dummy_hcd.c brought by hand)
    local f
    for f in "${MS_FILES[@]}"; do [ -f "$1/${f#function/}" ] || return 1; done
    mkdir -p "$WORK/ms-flat/function"
    for f in "${MS_FILES[@]}"; do cp "$1/${f#function/}" "$WORK/ms-flat/$f" || return 1; done
    MS_DIR=$WORK/ms-flat
}
ms_from_tarball() { # TARBALL: extracts MS_FILES only
    local d=$WORK/ms-tar.$RANDOM g
    mkdir -p "$d"
    tar -xf "$1" -C "$d" --wildcards $(printf ' *drivers/usb/gadget/%s' "${MS_FILES[@]}") 2> /dev/null
    g=$(find "$d" -path '*/drivers/usb/gadget/function/f_mass_storage.c' -type f | head -1)
    [ -n "$g" ] || return 1
    g=$(dirname "$(dirname "$g")")
    ms_complete "$g" && MS_DIR=$g
}
ms_cache_or_download() { # the cache of the stable tag then the series' .0 tag (as for dummy_hcd.c), a download into it
    local tag c f url ok tags=("v$KV" "v$MM")
    [ "$SUB" = 0 ] && tags=("v$MM")
    for tag in "${tags[@]}"; do
        c=$DUMMY_HCD_CACHE/$tag/mass_storage
        if ms_complete "$c"; then
            MS_DIR=$c MS_ORIGIN="cache $c"
            return 0
        fi
        [ "$DUMMY_HCD_OFFLINE" != 1 ] && [ -n "$DUMMY_HCD_URL_TEMPLATE" ] || continue
        case "$DUMMY_HCD_URL_TEMPLATE" in *"$REL"*) ;; *) continue ;; esac # the template must name the file
        ok=1
        for f in "${MS_FILES[@]}"; do
            url=${DUMMY_HCD_URL_TEMPLATE//"$REL"/drivers/usb/gadget/$f}
            url=${url//@TAG@/$tag}
            url=${url//@VERSION@/${tag#v}}
            url=${url//@MAJOR@/$MAJ}
            url=${url//@MINOR@/$MIN}
            url=${url//@SUBLEVEL@/$SUB}
            mkdir -p "$WORK/ms-dl/function"
            if ! fetch "$url" "$WORK/ms-dl/$f" || ! grep -q 'SPDX-License-Identifier\|#include\|#define' "$WORK/ms-dl/$f" ||
                grep -qi '<html' "$WORK/ms-dl/$f"; then
                ok=0
                break
            fi
        done
        [ $ok = 1 ] || continue
        if mkdir -p "$c/function" 2> /dev/null && cp -r "$WORK/ms-dl/." "$c/" 2> /dev/null; then
            echo "$DUMMY_HCD_URL_TEMPLATE" > "$c/origin"
            MS_DIR=$c
        else
            MS_DIR=$WORK/ms-dl
        fi
        MS_ORIGIN="download for $tag"
        return 0
    done
    return 1
}
# PROBE=1: only whether a source is to be had (a tarball is trusted to hold it)
ms_locate() {
    local s=${DUMMY_HCD_SOURCE:-} tb
    if [ -n "$s" ]; then
        if [ -d "$s" ]; then
            ms_complete "$s/drivers/usb/gadget" && MS_DIR=$s/drivers/usb/gadget MS_ORIGIN="DUMMY_HCD_SOURCE folder $s" && return 0
            [ $PROBE = 1 ] && ms_complete "$s" && return 0
            ms_flat "$s" && MS_ORIGIN="DUMMY_HCD_SOURCE folder $s" && return 0
        elif [ -f "$s" ] && is_tarball "$s"; then
            [ $PROBE = 1 ] && return 0
            if [ -n "$TREE_GADGET" ] && ms_complete "$TREE_GADGET"; then
                MS_DIR=$TREE_GADGET MS_ORIGIN="DUMMY_HCD_SOURCE tarball $s"
                return 0
            fi
        elif [ -f "$s" ]; then # a dummy_hcd.c: the mass-storage files beside it, or in its tree
            ms_complete "$(dirname "$s")/.." && MS_DIR=$(dirname "$s")/.. MS_ORIGIN="the tree of $s" && return 0
            ms_flat "$(dirname "$s")" && MS_ORIGIN="beside $s" && return 0
        fi
    elif [ $PROBE = 0 ] && [ -n "$TREE_GADGET" ] && ms_complete "$TREE_GADGET"; then
        MS_DIR=$TREE_GADGET MS_ORIGIN=$ORIGIN
        return 0
    fi
    for tb in "$SRCDIR/linux-source-$MM".tar.xz "$SRCDIR/linux-source-$MM".tar.zst \
        "$SRCDIR/linux-source-$MM".tar.bz2 "$SRCDIR/linux-source-$MM".tar.gz "$SRCDIR/linux-source-$MM".tar; do
        [ -f "$tb" ] || continue
        [ $PROBE = 1 ] && return 0
        ms_from_tarball "$tb" && MS_ORIGIN=$tb && return 0
    done
    ms_complete "$SRCDIR/linux-source-$MM/drivers/usb/gadget" &&
        MS_DIR=$SRCDIR/linux-source-$MM/drivers/usb/gadget MS_ORIGIN="$SRCDIR/linux-source-$MM/" && return 0
    ms_cache_or_download
}
if [ $PROBE = 1 ]; then
    ms_locate
    exit $?
fi

# 1. DUMMY_HCD_SOURCE
if [ -n "$DUMMY_HCD_SOURCE" ]; then
    s=$DUMMY_HCD_SOURCE
    if [ -d "$s" ]; then
        from_tree "$s" || die "DUMMY_HCD_SOURCE=$s is a folder without $REL or dummy_hcd.c"
        ORIGIN="DUMMY_HCD_SOURCE folder $s"
    elif [ -f "$s" ] && is_tarball "$s"; then
        from_tarball "$s" || die "DUMMY_HCD_SOURCE=$s: no $REL in this tarball"
        ORIGIN="DUMMY_HCD_SOURCE tarball $s"
    elif [ -f "$s" ]; then
        FOUND=$s
        ORIGIN="DUMMY_HCD_SOURCE file $s"
    else
        die "DUMMY_HCD_SOURCE=$s does not exist (give a dummy_hcd.c, a kernel source folder or a kernel tarball, or unset it)"
    fi
    looks_like_dummy_hcd "$FOUND" || die "$FOUND (from DUMMY_HCD_SOURCE) is not the kernel's dummy_hcd.c"
fi

# 2. /usr/src/linux-source-MAJOR.MINOR
if [ -z "$FOUND" ]; then
    for tb in "$SRCDIR/linux-source-$MM".tar.xz "$SRCDIR/linux-source-$MM".tar.zst \
        "$SRCDIR/linux-source-$MM".tar.bz2 "$SRCDIR/linux-source-$MM".tar.gz \
        "$SRCDIR/linux-source-$MM".tar; do
        [ -f "$tb" ] || continue
        tried+=("$tb")
        if from_tarball "$tb" && looks_like_dummy_hcd "$FOUND"; then
            ORIGIN="$tb"
            break
        fi
        say "warning: no usable $REL in $tb"
        FOUND=
    done
    if [ -z "$FOUND" ] && [ -d "$SRCDIR/linux-source-$MM" ]; then
        tried+=("$SRCDIR/linux-source-$MM/")
        if from_tree "$SRCDIR/linux-source-$MM" && looks_like_dummy_hcd "$FOUND"; then
            ORIGIN="$SRCDIR/linux-source-$MM/"
        else
            FOUND=
        fi
    fi
    [ -n "$FOUND" ] || tried+=("$SRCDIR/linux-source-$MM.tar.* (none)")
fi

# 3. cache, then download
if [ -z "$FOUND" ]; then
    tags=("v$KV")
    [ "$SUB" = 0 ] && tags=("v$MM")
    [ "$SUB" = 0 ] || tags+=("v$MM")
    for tag in "${tags[@]}"; do
        c=$DUMMY_HCD_CACHE/$tag/dummy_hcd.c
        if [ -f "$c" ] && looks_like_dummy_hcd "$c"; then
            FOUND=$c
            ORIGIN="cache $c ($(cat "$DUMMY_HCD_CACHE/$tag/origin" 2> /dev/null || echo 'origin unknown'))"
            SRC_VERSION=$(tagver "$tag")
            break
        fi
        tried+=("cache $c")
        if [ "$DUMMY_HCD_OFFLINE" = 1 ] || [ -z "$DUMMY_HCD_URL_TEMPLATE" ]; then
            tried+=("download $tag (disabled)")
            continue
        fi
        url=$DUMMY_HCD_URL_TEMPLATE
        url=${url//@TAG@/$tag}
        url=${url//@VERSION@/${tag#v}}
        url=${url//@MAJOR@/$MAJ}
        url=${url//@MINOR@/$MIN}
        url=${url//@SUBLEVEL@/$SUB}
        say "downloading $url"
        if fetch "$url" "$WORK/dl.c" && looks_like_dummy_hcd "$WORK/dl.c"; then
            if mkdir -p "$DUMMY_HCD_CACHE/$tag" 2> /dev/null && cp "$WORK/dl.c" "$c.tmp" 2> /dev/null &&
                mv "$c.tmp" "$c" && echo "$url" > "$DUMMY_HCD_CACHE/$tag/origin"; then
                FOUND=$c
            else
                say "warning: cannot write the cache $DUMMY_HCD_CACHE; rebuilds will download again"
                FOUND=$WORK/dl.c
            fi
            ORIGIN="download $url"
            SRC_VERSION=$(tagver "$tag")
            break
        fi
        tried+=("download $url (failed)")
    done
fi

if [ -z "$FOUND" ]; then
    {
        echo "$PROG: error: no dummy_hcd.c source found for kernel $KVER (upstream $KV). Tried:"
        for t in "${tried[@]}"; do echo "    $t"; done
        echo "  Fix one of:"
        echo "    - apt install linux-source-$MM   (if your distribution has it)"
        echo "    - DUMMY_HCD_SOURCE=/path/to/dummy_hcd.c|kernel-tree|linux-X.Y.Z.tar.xz dkms build ..."
        echo "      (or DUMMY_HCD_SOURCE=... in /etc/default/pve-usb-gadget-dummy-hcd for automatic rebuilds)"
        echo "    - allow the download (DUMMY_HCD_OFFLINE unset, network) or copy a dummy_hcd.c for"
        echo "      v$KV to $DUMMY_HCD_CACHE/v$KV/dummy_hcd.c"
    } >&2
    exit 1
fi

# how well the source matches the kernel
if [ -z "$SRC_VERSION" ]; then
    MATCH="version unknown (given by DUMMY_HCD_SOURCE)"
elif [ "$SRC_VERSION" = "$KV" ]; then
    MATCH="exact"
elif [ "${SRC_VERSION%.*}" = "$MM" ]; then
    MATCH="same major.minor ($SRC_VERSION for $KV)"
else
    MATCH="different version ($SRC_VERSION for $KV)"
    case "$ORIGIN" in
        DUMMY_HCD_SOURCE*) say "warning: $ORIGIN is Linux $SRC_VERSION, the kernel is $KV: it may not compile" ;;
        *) die "internal: $ORIGIN is Linux $SRC_VERSION, not $MM.x" ;;
    esac
fi
say "source: $ORIGIN (Linux ${SRC_VERSION:-unknown}, $MATCH)"

# ---------------------------------------------------------------- shape and patch
command -v perl > /dev/null 2>&1 || die "perl is required"
SHAPE=$(perl "$HERE/hrtimer-convert.pl" --detect "$FOUND") || die "shape detection failed"
mkdir -p "$OUT" || die "cannot create $OUT"
case "$SHAPE" in
    hrtimer)
        cp "$FOUND" "$WORK/main.c" || die "copy failed"
        ACTION="hrtimer source, scheduler unchanged"
        ;;
    timer_list)
        say "the source schedules with a jiffies timer_list: converting it to an hrtimer (hrtimer-convert.pl)"
        perl "$HERE/hrtimer-convert.pl" --convert "$FOUND" "$WORK/main.c" ||
            die "the hrtimer conversion failed for $FOUND (see above); report it with the file attached"
        ACTION="timer_list source, converted to hrtimer by pve-usb-gadget"
        ;;
    *)
        die "$FOUND is neither a timer_list- nor an hrtimer-shaped dummy_hcd.c; cannot build it"
        ;;
esac
# both shapes: the tick and the per-frame budget as module parameters (tick_ns, budget_pct)
perl "$HERE/hrtimer-convert.pl" --tune "$WORK/main.c" "$WORK/tuned.c" && mv "$WORK/tuned.c" "$WORK/main.c" ||
    die "making the tick, budget, kick and dma64 module parameters failed for $FOUND (see above); report it with the file attached"
ACTION="$ACTION, tick, budget, kick and dma64 as module parameters"
say "$ACTION"

# C string literal: keep it to safe characters
cstr() { printf '%s' "$1" | tr -c 'A-Za-z0-9 ._:/+=,()@~-' '_'; }
PKGVER=$(sed -n 's/^PACKAGE_VERSION="*\([^"]*\)"*$/\1/p' "$HERE/dkms.conf" 2> /dev/null | head -1)
PKGVER=${PKGVER:-0}
IN_SHA=$(sha256sum "$FOUND" | cut -c1-16)
cat > "$WORK/info.c" << EOF
// SPDX-License-Identifier: GPL-2.0
/* generated by prepare-source.sh: where this dummy_hcd came from, how it schedules */
#include <linux/module.h>
/* a version makes dkms install it over an in-tree dummy_hcd.ko (which has none) */
MODULE_VERSION("$(cstr "$PKGVER")-pvug");
MODULE_INFO(pvug_scheduler, "hrtimer");
MODULE_INFO(pvug_shape, "$(cstr "$ACTION")");
MODULE_INFO(pvug_source, "$(cstr "$(basename "$FOUND") from ${ORIGIN##*/} Linux ${SRC_VERSION:-unknown} $MATCH sha256:$IN_SHA")");
EOF
cat > "$WORK/info.txt" << EOF
kernel=$KVER
kernel_version=$KV
origin=$ORIGIN
source_file=$FOUND
source_version=${SRC_VERSION:-unknown}
match=$MATCH
shape=$SHAPE
action=$ACTION
source_sha256=$(sha256sum "$FOUND" | cut -d' ' -f1)
EOF
mv "$WORK/main.c" "$OUT/dummy_hcd_main.c" && mv "$WORK/info.c" "$OUT/dummy_hcd_info.c" &&
    mv "$WORK/info.txt" "$OUT/source-info.txt" || die "cannot write to $OUT"
say "wrote $OUT/dummy_hcd_main.c"

# ---------------------------------------------------------------- usb_f_mass_storage
MS_OUT=(f_mass_storage.c f_mass_storage.h storage_common.c storage_common.h configfs.h usb_f_mass_storage_info.c)
(cd "$OUT" && rm -f "${MS_OUT[@]}")
if ! ms_locate; then
    say "no usb_f_mass_storage source for $MM (the kernel tree or tarball of dummy_hcd, linux-source-$MM, the cache, a download): only dummy_hcd is built, the kernel's own usb_f_mass_storage (2 buffers of 16 KiB) stays in use"
    echo "mass_storage=none" >> "$OUT/source-info.txt"
    exit 0
fi
mkdir -p "$WORK/ms"
for f in "${MS_FILES[@]}"; do cp "$MS_DIR/$f" "$WORK/ms/${f#function/}" || die "copy of $MS_DIR/$f failed"; done
perl "$HERE/mass-storage-patch.pl" "$WORK/ms" ||
    die "the usb_f_mass_storage patch failed for the sources from $MS_ORIGIN (see above); report it with the files attached"
MS_SHA=$(cat "$MS_DIR/function/f_mass_storage.c" "$MS_DIR/function/storage_common.c" | sha256sum | cut -c1-16)
cat > "$WORK/ms/usb_f_mass_storage_info.c" << EOF
// SPDX-License-Identifier: GPL-2.0
/* generated by prepare-source.sh: where this usb_f_mass_storage came from */
#include <linux/module.h>
/* a version makes dkms install it over the in-tree usb_f_mass_storage.ko (which has none) */
MODULE_VERSION("$(cstr "$PKGVER")-pvug");
MODULE_INFO(pvug_source, "$(cstr "f_mass_storage.c from ${MS_ORIGIN##*/} sha256:$MS_SHA")");
MODULE_INFO(pvug_shape, "kernel source, num_buffers and buflen as module parameters by pve-usb-gadget");
EOF
for f in "${MS_OUT[@]}"; do mv "$WORK/ms/$f" "$OUT/$f" || die "cannot write to $OUT"; done
echo "mass_storage=$MS_ORIGIN" >> "$OUT/source-info.txt"
say "usb_f_mass_storage: source $MS_ORIGIN, wrote $OUT/f_mass_storage.c"
exit 0
