#!/bin/sh
# Builds the jar if needed and prints what "hook 100 pre-start" would do with examples/100.conf, as a shell script.
# Changes nothing on this machine (beyond a temporary directory and a sparse image file under it).
set -eu
cd "$(dirname "$0")/.."
# stdout is the script alone: Maven's output goes to stderr, without colour codes
[ -f target/pve-usb-gadget.jar ] || mvn -B -q -Dstyle.color=never -DskipTests package >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The example points at /var/lib/vz/...; point it into the temporary directory and make the image (sparse).
sed "s|^image = .*|image = $work/unraid-flash.img|" examples/100.conf > "$work/100.conf"
chmod 600 "$work/100.conf"
truncate -s 2G "$work/unraid-flash.img"
java -jar target/pve-usb-gadget.jar --config-dir "$work" hook 100 pre-start --dry-run
