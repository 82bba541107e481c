# Shared helpers for the scripts in tests/utils (sourced, not run).
# shellcheck shell=bash
# The two supported lines: 3.11 = ansible-core 2.19 in .venv, 3.13 = newest ansible-core in .venv-3.13.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CACHE="$ROOT/.cache"
# ansible-test and antsibull-docs need the collection at a real .../ansible_collections/NS/NAME path.
COPY="$CACHE/ansible_collections/cloudops/azure_backup"

banner() {
    printf '\n==== %s ====\n' "$*"
}

die() {
    printf 'ERROR: %s\n' "$*" >&2
    exit 1
}

# venv_for LINE -> path of that line's virtualenv
venv_for() {
    case "$1" in
        3.11) echo "$ROOT/.venv" ;;
        3.13) echo "$ROOT/.venv-3.13" ;;
        *) die "unknown Python line '$1' (use 3.11 or 3.13)" ;;
    esac
}

# base_python LINE -> a real interpreter (pyenv shims of non-global versions do not work).
# Override with PYTHON_3_11=/path or PYTHON_3_13=/path.
base_python() {
    local line="$1" var="PYTHON_${1//./_}" prefix
    if [ -n "${!var:-}" ]; then
        echo "${!var}"
        return
    fi
    if command -v pyenv >/dev/null 2>&1 && prefix="$(pyenv prefix "$line" 2>/dev/null)" \
        && [ -x "$prefix/bin/python$line" ]; then
        echo "$prefix/bin/python$line"
        return
    fi
    if command -v "python$line" >/dev/null 2>&1 && "python$line" -c '' 2>/dev/null; then
        command -v "python$line"
        return
    fi
    die "no Python $line found (tried \$$var, 'pyenv prefix $line', python$line on PATH). make test runs two
lines, Python 3.11 (ansible-core 2.19) and Python 3.13 (the newest ansible-core): install the missing one
(pyenv install $line, or your system's python$line package), or point $var at it (make test $var=/path/to/python$line).
make demo needs only one Python 3.10 or newer."
}

# Run a command with the line's venv first on PATH (ansible-test finds pythonX.Y there).
in_venv() {
    local venv
    venv="$(venv_for "$1")"
    shift
    [ -x "$venv/bin/python" ] || die "$venv is missing: run 'make setup'"
    PATH="$venv/bin:$PATH" VIRTUAL_ENV="$venv" "$@"
}

# Hold a lock on $COPY until this script exits: two runs in one tree would otherwise refresh the
# copy under each other's feet. The second one waits.
lock_copy() {
    mkdir -p "$CACHE"
    exec 9>"$CACHE/ansible_collections.lock"
    if ! flock -n 9; then
        echo "lock: another run is using $COPY; waiting for it to finish"
        flock 9
    fi
}

# Refresh the copy of the working tree (tracked + untracked-not-ignored files) in $COPY.
sync_copy() {
    mkdir -p "$COPY"
    # Keep ansible-test's tests/output (results, its delegation venv) across runs; remove the rest.
    local output="$CACHE/.ansible-test-output"
    rm -rf "$output"
    if [ -d "$COPY/tests/output" ]; then mv "$COPY/tests/output" "$output"; fi
    find "$COPY" -mindepth 1 -maxdepth 1 ! -name .git -exec rm -rf {} +
    # The copy gets a .git of its own: ansible-test then lists its files with git like in the real
    # repo, instead of walking up to the outer repository (where .cache/ is ignored).
    [ -d "$COPY/.git" ] || git -C "$COPY" init --quiet
    (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard \
        | while IFS= read -r -d '' f; do if [ -e "$f" ] || [ -L "$f" ]; then printf '%s\0' "$f"; fi; done \
        | tar --null -T - -cf -) | tar -xf - -C "$COPY"
    if [ -d "$output" ]; then mkdir -p "$COPY/tests" && mv "$output" "$COPY/tests/output"; fi
    echo "sync: copied $(cd "$COPY" && git ls-files -co --exclude-standard | wc -l) files to $COPY"
}
