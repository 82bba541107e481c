#!/usr/bin/env bash
# Run a command against a fresh Azure Backup emulator, then stop it (also on failure).
# Usage: tests/utils/with-emulator.sh [--time-scale N] [--workdir DIR] [--cloud-config FILE] -- CMD [ARGS...]
#   --time-scale N       emulated seconds per real second (default $EMULATOR_TIME_SCALE or 600)
#   --workdir DIR        emulator workdir (default: a new .cache/emulator.XXXXXX, removed after success)
#   --cloud-config FILE  also write ansible-test's Azure cloud config there (removed afterwards)
# The command runs with the emulator's env.sh exported (AZURE_*, REQUESTS_CA_BUNDLE, ...).
# EMULATOR (default .venv/bin/azure-backup-emulator), EMULATOR_START_TIMEOUT (default 60 s).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

time_scale="${EMULATOR_TIME_SCALE:-600}"
workdir=""
cloud_config=""
while [ $# -gt 0 ]; do
    case "$1" in
        --time-scale) time_scale="$2"; shift 2 ;;
        --workdir) workdir="$2"; shift 2 ;;
        --cloud-config) cloud_config="$2"; shift 2 ;;
        --) shift; break ;;
        *) die "with-emulator.sh: unknown option '$1' (usage: [options] -- CMD...)" ;;
    esac
done
[ $# -gt 0 ] || die "with-emulator.sh: no command given (usage: [options] -- CMD...)"

emulator="${EMULATOR:-$ROOT/.venv/bin/azure-backup-emulator}"
[ -x "$emulator" ] || die "$emulator is missing: run 'make setup'"
own_workdir=""
if [ -z "$workdir" ]; then
    mkdir -p "$CACHE"
    workdir="$(mktemp -d "$CACHE/emulator.XXXXXX")"
    own_workdir=1
else
    mkdir -p "$workdir"
    rm -f "$workdir/url" "$workdir/pid" "$workdir/env.sh" "$workdir/env.json"
fi
log="$workdir/emulator.log"

show_log() {
    echo "---- emulator log ($log), last 50 lines ----" >&2
    tail -n 50 "$log" >&2 || true
    echo "---- end of emulator log ----" >&2
}

"$emulator" serve --host 127.0.0.1 --port 0 --workdir "$workdir" --time-scale "$time_scale" >"$log" 2>&1 &
emulator_pid=$!

stop_emulator() {
    local rc=$?
    trap - EXIT INT TERM
    if kill -0 "$emulator_pid" 2>/dev/null; then
        kill -TERM "$emulator_pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$emulator_pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$emulator_pid" 2>/dev/null; then
            echo "with-emulator.sh: emulator (pid $emulator_pid) ignored SIGTERM for 5 s: killing it" >&2
            kill -KILL "$emulator_pid" 2>/dev/null || true
        fi
    fi
    wait "$emulator_pid" 2>/dev/null || true
    [ -z "$cloud_config" ] || rm -f "$cloud_config"
    if [ "$rc" -ne 0 ]; then
        show_log
        echo "with-emulator.sh: exit status $rc; emulator workdir kept: $workdir" >&2
    elif [ -n "$own_workdir" ]; then
        rm -rf "$workdir"
    fi
    exit "$rc"
}
trap stop_emulator EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

timeout="${EMULATOR_START_TIMEOUT:-60}"
deadline=$((SECONDS + timeout))
until [ -s "$workdir/url" ]; do
    if ! kill -0 "$emulator_pid" 2>/dev/null; then
        die "the emulator exited before it was ready ($emulator serve --workdir $workdir)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
        die "the emulator did not write $workdir/url within ${timeout} s"
    fi
    sleep 0.1
done
url="$(cat "$workdir/url")"
[ -f "$workdir/env.sh" ] || die "the emulator wrote $workdir/url but no env.sh"
echo "with-emulator.sh: emulator ready at $url (pid $emulator_pid, time scale $time_scale, workdir $workdir)"

# shellcheck disable=SC1091
. "$workdir/env.sh"
if [ -n "$cloud_config" ]; then
    "$ROOT/.venv/bin/python" "$ROOT/tests/utils/cloud_config.py" "$workdir/env.json" "$cloud_config" "$url"
    echo "with-emulator.sh: wrote $cloud_config"
fi

echo "+ $*"
"$@"
