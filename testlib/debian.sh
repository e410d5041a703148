# shellcheck shell=bash
# Debian package sources for the suites: the mirror this machine uses, a separate apt state for another suite
# (trixie, trixie-backports) that never touches this machine's own sources, and cached debootstrap chroots.
#
#   . testlib/debian.sh
#   debian_mirror                      the URI this machine's apt sources use for bookworm
#   debian_install PKG...              apt-get install on this machine (waits for other apt runs; one apt-get
#                                      update and a retry if it fails); its log on stderr only if it fails
#   debian_need PKG...                 debian_install of those of PKG... that are not installed (says which)
#   debian_apt_state DIR SUITE...      a private apt state in DIR for SUITE... of that mirror (apt-get update'd)
#   debian_apt DIR apt-get|apt-cache ARGS...   run apt with that state (downloads land in the current directory);
#                                      DIR "-" is this machine's own
#   debian_newest DIR REGEX            the newest package name matching REGEX in that state (or "-")
#   debian_minbase_tarball SUITE       path of a cached `debootstrap --variant=minbase SUITE` tarball, made once
#                                      ($DEBIAN_CHROOT_CACHE/SUITE-minbase.tar.gz, /var/cache/pve-usb-gadget-ci)
#   debian_chroot_open DIR TARBALL SUITE...   unpack TARBALL into DIR, mount proc/dev, point apt at SUITE...
#   debian_chroot_run DIR COMMAND...   run COMMAND in it with a clean environment
#   debian_chroot_close DIR            unmount and remove DIR
# All functions return non-zero on failure and say why on stderr; none exits.

DEBIAN_CHROOT_CACHE=${DEBIAN_CHROOT_CACHE:-/var/cache/pve-usb-gadget-ci}

debian_mirror() {
    local uri
    uri=$(awk '/^URIs:/ { u = $2 } /^Suites:/ && / bookworm( |$)/ { print u; exit }' \
        /etc/apt/sources.list.d/*.sources 2> /dev/null)
    [ -n "$uri" ] || uri=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' \
        /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2> /dev/null)
    echo "${uri:-http://deb.debian.org/debian}"
}

debian_install() { # PKG...
    local log
    log=$(mktemp)
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=900 --no-install-recommends "$@" \
        > "$log" 2>&1 || {
        apt-get update -q -o DPkg::Lock::Timeout=900 > /dev/null 2>&1
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=900 --no-install-recommends "$@" \
            > "$log" 2>&1
    } || {
        tail -n 20 "$log" >&2
        rm -f "$log"
        return 1
    }
    rm -f "$log"
}

debian_need() { # PKG...
    local p missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2> /dev/null | grep -q 'install ok installed' || missing+=("$p")
    done
    [ ${#missing[@]} -gt 0 ] || return 0
    echo "apt-get install ${missing[*]}" >&2
    debian_install "${missing[@]}"
}

_debian_apt_opts() { # DIR
    echo "-o Dir::Etc::sourcelist=$1/sources.list -o Dir::Etc::sourceparts=- -o Dir::State::Lists=$1/lists" \
        "-o Dir::Cache=$1/cache -o Dir::State::status=$1/status"
}

debian_apt_state() { # DIR SUITE...
    local dir=$1 mirror s
    shift
    mirror=$(debian_mirror)
    mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial" || return 1
    : > "$dir/status"
    for s in "$@"; do
        echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror $s main"
    done > "$dir/sources.list"
    # shellcheck disable=SC2046
    apt-get $(_debian_apt_opts "$dir") -q update > "$dir/update.log" 2>&1 ||
        {
            tail -n 5 "$dir/update.log" >&2
            return 1
        }
}

debian_apt() { # DIR apt-get|apt-cache ARGS...
    local dir=$1 tool=$2
    shift 2
    if [ "$dir" = - ]; then
        "$tool" "$@"
    else
        # shellcheck disable=SC2046
        "$tool" $(_debian_apt_opts "$dir") "$@"
    fi
}

debian_newest() { # DIR REGEX
    debian_apt "$1" apt-cache search --names-only "$2" 2> /dev/null | cut -d' ' -f1 | grep -E "$2" | sort -V | tail -n 1
}

debian_minbase_tarball() { # SUITE
    local suite=$1 tarball stage log
    tarball=$DEBIAN_CHROOT_CACHE/$suite-minbase.tar.gz
    mkdir -p "$DEBIAN_CHROOT_CACHE" || return 1
    (
        # one debootstrap at a time per suite, whichever suite asks first
        flock 9 || exit 1
        [ -s "$tarball" ] && exit 0
        command -v debootstrap > /dev/null ||
            apt-get install -y -q -o DPkg::Lock::Timeout=600 debootstrap > /dev/null 2>&1 ||
            {
                echo "debian_minbase_tarball: cannot install debootstrap" >&2
                exit 1
            }
        stage=$(mktemp -d "$DEBIAN_CHROOT_CACHE/stage-$suite.XXXXXX") || exit 1
        log=$DEBIAN_CHROOT_CACHE/debootstrap-$suite.log
        if debootstrap --variant=minbase "$suite" "$stage" "$(debian_mirror)" > "$log" 2>&1; then
            tar -C "$stage" -czf "$tarball.tmp" . && mv "$tarball.tmp" "$tarball"
        else
            tail -n 5 "$log" >&2
        fi
        rm -rf --one-file-system "$stage"
        [ -s "$tarball" ]
    ) 9> "$DEBIAN_CHROOT_CACHE/.$suite-minbase.lock" || return 1
    echo "$tarball"
}

debian_chroot_open() { # DIR TARBALL SUITE...
    local c=$1 tarball=$2 mirror s
    shift 2
    mirror=$(debian_mirror)
    mkdir -p "$c" && tar -C "$c" -xzf "$tarball" || return 1
    mount -t proc proc "$c/proc" || return 1
    mount --bind /dev "$c/dev" || return 1
    mount --bind /dev/pts "$c/dev/pts" 2> /dev/null || true
    cp /etc/resolv.conf "$c/etc/resolv.conf" 2> /dev/null || true
    printf '#!/bin/sh\nexit 101\n' > "$c/usr/sbin/policy-rc.d" # no daemons started by package scripts
    chmod 755 "$c/usr/sbin/policy-rc.d"
    for s in "$@"; do echo "deb $mirror $s main"; done > "$c/etc/apt/sources.list"
}

debian_chroot_run() { # DIR COMMAND...
    local c=$1
    shift
    chroot "$c" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive "$@"
}

debian_chroot_close() { # DIR
    local c=$1 m
    [ -n "$c" ] && [ -d "$c" ] || return 0
    # everything mounted below DIR, deepest first
    for m in $(awk -v c="$c/" 'index($2, c) == 1 { print $2 }' /proc/mounts | sort -r); do
        umount -l "$m" 2> /dev/null || true
    done
    rm -rf --one-file-system "$c"
}
