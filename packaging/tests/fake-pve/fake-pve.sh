# shellcheck shell=bash
# What the recording stand-ins for Proxmox's qm, pvesm and pvesh share (sourced by them).
#
# State in $FAKE_PVE_STATE:
#   calls       every call, one line each ("qm set 100 --usb0 ..."), arguments separated by single spaces
#   storages    one storage a line: "name type status path [shared [nodes]]"; shared 0/1 [0], nodes a comma list or
#               "-" [every node]; "@NODE@" in path stands for the node's name (a node-local directory per node)
#   vm/         <vmid>.conf of the single node "pve", when $FAKE_PVE_NODE is not set (attach-e2e.sh)
#   etc-pve/    with $FAKE_PVE_NODE: the simulated pmxcfs shared by every node: nodes/<node>/qemu-server/<vmid>.conf,
#               mapping/usb.cfg (as pve-guest-common writes it)
#   running/    <vmid> holds the node the VM runs on
#   hooks.log   every hookscript run: "<node> <vmid> <phase> exit <code>", then its output
# $FAKE_PVE_NODE is the node the command runs on (PVE::INotify::nodename).
set -u
state=${FAKE_PVE_STATE:?FAKE_PVE_STATE is not set}
node=${FAKE_PVE_NODE:-pve}
pmxcfs=$state/etc-pve

# The directory of this node's VM configs (as /etc/pve/nodes/<node>/qemu-server).
vm_dir() { # [NODE]
    if [ -n "${FAKE_PVE_NODE:-}" ]; then
        echo "$pmxcfs/nodes/${1:-$node}/qemu-server"
    else
        echo "$state/vm"
    fi
}

# A field of storage NAME: 2 type, 3 status, 4 path, 5 shared, 6 nodes; exit 1 when there is no such storage.
storage_field() { # NAME FIELD
    awk -v s="$1" -v f="$2" '$1 == s { found = 1; v = $f; if (f == 5 && v == "") v = 0; if (f == 6 && v == "") v = "-"; print v } END { exit !found }' "$state/storages"
}

# Whether storage NAME is enabled on NODE (its "nodes" list, if any, names it).
storage_on_node() { # NAME NODE
    local nodes
    nodes=$(storage_field "$1" 6) || return 1
    [ "$nodes" = - ] || [[ ,$nodes, == *,"$2",* ]]
}

# The file system path of volume VOLID on this node, as PVE::Storage::path computes it (no node check).
volume_path() { # VOLID
    local storage=${1%%:*} base
    base=$(storage_field "$storage" 4) || {
        echo "storage '$storage' does not exist" >&2
        return 1
    }
    echo "${base//@NODE@/$node}/${1#*:}"
}

# PVE::GuestHelpers::check_hookscript: the path of an executable snippets volume, else its error on stderr.
check_hookscript() { # VOLID
    local volid=$1 path
    if ! [[ $volid =~ ^[A-Za-z][A-Za-z0-9._-]*[A-Za-z0-9]:.+$ ]]; then
        echo "unable to parse volume ID '$volid'" >&2
        return 1
    fi
    path=$(volume_path "$volid") || return 1
    if [[ ${volid#*:} != snippets/* ]]; then
        echo "'$volid' is not in the snippets directory" >&2
        return 1
    fi
    if [ ! -f "$path" ]; then
        echo "script '$volid' does not exist" >&2
        return 1
    fi
    if [ ! -x "$path" ]; then
        echo "script '$volid' is not executable" >&2
        return 1
    fi
    echo "$path"
}

# The "map" entries of USB mapping ID from mapping/usb.cfg, one a line; exit 1 when it does not exist.
usb_mapping_entries() { # ID
    [ -f "$pmxcfs/mapping/usb.cfg" ] || return 1
    awk -v id="$1" '
        /^[^ \t]/ { current = $1; if (current == id) found = 1; next }
        current == id && $1 == "map" { print $2 }
        END { exit !found }' "$pmxcfs/mapping/usb.cfg"
}

# The ids of every USB mapping, one a line.
usb_mapping_ids() {
    [ -f "$pmxcfs/mapping/usb.cfg" ] || return 0
    awk '/^[^ \t]/ { print $1 }' "$pmxcfs/mapping/usb.cfg"
}

# The value of KEY in property string STRING ("a=1,b=2"); DEFAULT_KEY names the key of a value without "key=".
property() { # STRING KEY [DEFAULT_KEY]
    local part
    local -a parts
    IFS=, read -ra parts <<< "$1"
    for part in "${parts[@]}"; do
        if [[ $part != *=* ]]; then part=${3:-}=$part; fi
        if [ "${part%%=*}" = "$2" ]; then
            echo "${part#*=}"
            return 0
        fi
    done
    return 1
}

# Parameter verification as PVE::JSONSchema reports it: "400 Parameter verification failed." and KEY: MESSAGE.
param_error() { # KEY MESSAGE
    echo "400 Parameter verification failed." >&2
    echo "$1: $2" >&2
}
