# shellcheck shell=bash
# What every script target (runme.sh) that talks to the emulator starts with. Source it as
#     . "$here/../setup_emulator/files/common.sh" NAME
# (with needs/target/setup_emulator in the target's aliases). It resets the emulator and gives:
#   control     curl to the emulator (its CA trusted; --fail, so an HTTP error stops the script)
#   fail MSG    says "NAME: MSG" on stderr and exits 1
#   scale N     sets the emulator's time scale (emulated seconds per real second)
common_target=$1
control() {
    curl --silent --show-error --fail --cacert "$REQUESTS_CA_BUNDLE" "$@"
}
fail() { echo "$common_target: $*" >&2; exit 1; }
scale() {
    control -X POST -H 'Content-Type: application/json' -d "{\"scale\": $1}" \
        "$AZURE_BACKUP_EMULATOR_URL/_emulator/time/scale" >/dev/null
}
control -X POST "$AZURE_BACKUP_EMULATOR_URL/_emulator/reset" >/dev/null
