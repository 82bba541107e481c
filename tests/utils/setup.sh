#!/usr/bin/env bash
# Create/refresh the development environment; idempotent and fast when nothing changed.
#   .venv       Python 3.11, ansible-core 2.19, requirements.txt, dev tools, the emulator (editable)
#   .venv-3.13  Python 3.13, newest ansible-core, requirements.txt, dev tools
#   .cache/collections/ansible_collections/cloudops/azure_backup -> the working tree (see ansible.cfg)
#   the shellcheck program (apt-get), which ansible-test sanity needs
# A venv is only pip-installed again when the hash of its inputs (below) changed.
# Usage: tests/utils/setup.sh [LINE...]   (default: 3.11 3.13)
#        tests/utils/setup.sh --demo      only what `make demo` needs, in .venv, with one Python 3.10 or newer
#                                          (3.11 when there is one, else python3): ansible-core, requirements.txt,
#                                          the emulator; no test tools, no second line
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$ROOT"

[ -f tests/emulator/pyproject.toml ] || die "tests/emulator/pyproject.toml is missing (the emulator package)"

# demo_python -> Python 3.11 when there is one, else python3 if it is 3.10 or newer.
demo_python() {
    local python
    if python="$(base_python 3.11 2>/dev/null)"; then
        echo "$python"
        return
    fi
    python="$(command -v python3 || true)"
    [ -n "$python" ] || die "make demo needs Python 3.10 or newer: no python3 on PATH"
    "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
        || die "make demo needs Python 3.10 or newer; python3 is $("$python" --version 2>&1)"
    echo "$python"
}

# setup_demo: .venv with ansible-core, the collection's requirements and the emulator; nothing else.
setup_demo() {
    local venv="$ROOT/.venv" python version stamp hash start=$SECONDS constraints=()
    stamp="$venv/.setup-stamp"
    if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && "$venv/bin/python" -c 'import ansible, flask, cheroot' 2>/dev/null; then
        echo "setup: .venv ready for the demo ($(tail -n1 "$stamp"))"
        return
    fi
    if [ ! -x "$venv/bin/python" ]; then
        python="$(demo_python)"
        echo "setup: creating .venv with $python"
        "$python" -m venv "$venv"
    fi
    version="$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    [ -f "tests/utils/constraints-$version.txt" ] && constraints=(--constraint "tests/utils/constraints-$version.txt")
    echo "setup: installing what the demo needs into .venv (Python $version)"
    "$venv/bin/python" -m pip install --disable-pip-version-check --quiet "${constraints[@]}" \
        ansible-core -r requirements.txt -e tests/emulator 2>&1 \
        | { grep -v "^WARNING: Location 'file:.*' is ignored: it is neither a file nor a directory.$" || true; }
    printf '%s\n%s\n' "demo" "$("$venv/bin/python" -c 'import sys, ansible.release as r; print("Python %d.%d.%d, ansible-core %s" % (sys.version_info[:3] + (r.__version__,)))')" > "$stamp"
    echo "setup: .venv ready for the demo ($(tail -n1 "$stamp")) in $((SECONDS - start)) s"
}

setup_line() {
    local line="$1" venv python stamp hash start=$SECONDS
    venv="$(venv_for "$line")"
    stamp="$venv/.setup-stamp"
    local inputs=(requirements.txt tests/utils/requirements-dev.txt "tests/utils/constraints-$line.txt"
                  tests/utils/setup.sh)
    local extra=()
    if [ "$line" = 3.11 ]; then
        inputs+=(tests/emulator/pyproject.toml)
        extra=(-e "tests/emulator[test]")
    fi
    hash="$(cat "${inputs[@]}" | sha256sum | cut -c1-16)"

    if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(head -n1 "$stamp")" = "$hash" ]; then
        echo "setup: $(basename "$venv") up to date ($(tail -n1 "$stamp"))"
        return
    fi

    if [ -x "$venv/bin/python" ] && [ "$("$venv/bin/python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')" != "$line" ]; then
        echo "setup: $(basename "$venv") is not Python $line: recreating it"
        rm -rf "$venv"
    fi
    if [ ! -x "$venv/bin/python" ]; then
        python="$(base_python "$line")"
        echo "setup: creating $(basename "$venv") with $python"
        "$python" -m venv "$venv"
    fi

    echo "setup: installing into $(basename "$venv") (new venv, or one of these changed: ${inputs[*]})"
    "$venv/bin/python" -m pip install --disable-pip-version-check --quiet \
        --constraint "tests/utils/constraints-$line.txt" \
        ansible-core -r requirements.txt -r tests/utils/requirements-dev.txt "${extra[@]}" 2>&1 \
        | { grep -v "^WARNING: Location 'file:.*' is ignored: it is neither a file nor a directory.$" || true; }

    local versions
    versions="$("$venv/bin/python" -c 'import sys, ansible.release as r; print("Python %d.%d.%d, ansible-core %s" % (sys.version_info[:3] + (r.__version__,)))')"
    printf '%s\n%s\n' "$hash" "$versions" > "$stamp"
    echo "setup: $(basename "$venv") ready ($versions) in $((SECONDS - start)) s"
}

link_collection() {
    # ansible-playbook / ansible-galaxy run from the repo root resolve cloudops.azure_backup to this
    # working tree through ansible.cfg's collections_path.
    local link="$CACHE/collections/ansible_collections/cloudops/azure_backup"
    if [ "$(readlink "$link" 2>/dev/null)" != "../../../.." ]; then
        mkdir -p "$(dirname "$link")"
        rm -rf "$link"
        ln -s ../../../.. "$link"
        echo "setup: linked $link -> working tree"
    fi
}

if [ "${1:-}" = --demo ]; then
    setup_demo
    link_collection
    exit 0
fi

# ansible-test sanity's shellcheck test needs the shellcheck program (without it, it only warns).
if ! command -v shellcheck >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "setup: installing shellcheck (apt-get)"
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -qq shellcheck >/dev/null 2>&1 \
            || { apt-get update -qq && apt-get install -y -qq shellcheck >/dev/null; } \
            || die "could not install shellcheck with apt-get"
    else
        die "shellcheck is missing: install it (Debian/Ubuntu: apt-get install shellcheck)"
    fi
fi

lines=("$@")
[ ${#lines[@]} -gt 0 ] || lines=(3.11 3.13)
for line in "${lines[@]}"; do
    setup_line "$line"
done

link_collection
