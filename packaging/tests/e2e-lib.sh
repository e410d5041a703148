# shellcheck shell=bash
# What attach-e2e.sh and cluster-e2e.sh share, sourced from the repository root: ". packaging/tests/e2e-lib.sh NAME"
# sets ROOT and JAR (PVE_USB_GADGET_TEST_JAR, else target/pve-usb-gadget.jar; a missing jar is a failed check and
# the end), loads testlib/checks.sh, makes the scratch dir $T (/tmp/pve-usb-gadget-NAME.*, removed at exit unless
# KEEP is set) and puts the recording stand-ins of packaging/tests/fake-pve first on PATH with their state in $T/pve.
ROOT=$PWD
JAR=${PVE_USB_GADGET_TEST_JAR:-$ROOT/target/pve-usb-gadget.jar}
# shellcheck source=../../testlib/checks.sh
. "$ROOT/testlib/checks.sh"
if [ ! -f "$JAR" ]; then
    fail "jar $JAR exists (run mvn -B -DskipTests package first)"
    finish
fi
T=$(mktemp -d "/tmp/pve-usb-gadget-$1.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
export FAKE_PVE_STATE=$T/pve
mkdir -p "$T/pve" "$T/bin"
cp "$ROOT"/packaging/tests/fake-pve/* "$T/bin/"
export PATH=$T/bin:$PATH
