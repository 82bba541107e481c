#!/usr/bin/env bash
# Run ansible-test for one Python line on a fresh copy of the working tree.
# Usage: tests/utils/ansible-test.sh LINE sanity|units|integration [extra ansible-test args...]
#   LINE 3.11 = .venv (ansible-core 2.19), 3.13 = .venv-3.13 (newest ansible-core)
# ansible-test needs the collection at a real path .../ansible_collections/cloudops/azure_backup
# (a symlink is rejected), so the tracked + untracked-not-ignored files are copied to
# .cache/ansible_collections/cloudops/azure_backup; stale files there are removed first.
# integration runs against the emulator (tests/utils/with-emulator.sh writes the Azure cloud config).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[ $# -ge 2 ] || die "usage: $0 LINE sanity|units|integration [ansible-test args...]"
line="$1" command="$2"
shift 2
venv="$(venv_for "$line")"
[ -x "$venv/bin/ansible-test" ] || die "$venv/bin/ansible-test is missing: run 'make setup'"

# ansible-test bootstraps pip in every venv it creates with a get-pip script from the internet,
# unreachable here: put the offline stand-in (tests/utils/get_pip.py) and the pip wheel it needs where
# ansible-test looks first, ~/.ansible/test/cache/get_pip_<ver>.py.
install_get_pip() {
    local version cache target
    version="$("$venv/bin/python" -c '
import types
from ansible_test._internal.python_requirements import get_venv_packages
print(get_venv_packages(types.SimpleNamespace(version="'"$line"'"))["pip"])')"
    cache="$HOME/.ansible/test/cache"
    target="$cache/get_pip_${version//./_}.py"
    mkdir -p "$cache"
    if ! ls "$cache/pip-$version-"*.whl >/dev/null 2>&1; then
        echo "ansible-test.sh: downloading the pip $version wheel into $cache"
        "$venv/bin/python" -m pip download --disable-pip-version-check --quiet --no-deps \
            "pip==$version" -d "$cache" 2>&1 \
            | { grep -v "^WARNING: Location 'file:.*' is ignored: it is neither a file nor a directory.$" || true; }
        ls "$cache/pip-$version-"*.whl >/dev/null 2>&1 || die "could not download pip==$version"
    fi
    if ! cmp -s "$ROOT/tests/utils/get_pip.py" "$target"; then
        cp "$ROOT/tests/utils/get_pip.py" "$target"
        echo "ansible-test.sh: installed the get-pip stand-in as $target"
    fi
}

lock_copy
sync_copy
install_get_pip
cd "$COPY"

case "$command" in
    sanity)
        cmd=(ansible-test sanity --venv --python "$line")
        ;;
    units)
        n="$(find tests/unit -name 'test_*.py' 2>/dev/null | wc -l)"
        [ "$n" -gt 0 ] || die "no unit tests (tests/unit/**/test_*.py) in the collection"
        cmd=(ansible-test units --venv --python "$line" --requirements)
        ;;
    integration)
        n="$(find tests/integration/targets -mindepth 2 -maxdepth 2 -name aliases 2>/dev/null | wc -l)"
        [ "$n" -gt 0 ] || die "no integration targets (tests/integration/targets/*/aliases) in the collection"
        cmd=("$ROOT/tests/utils/with-emulator.sh" --cloud-config tests/integration/cloud-config-azure.ini --
             ansible-test integration --venv --python "$line" --requirements --continue-on-error)
        ;;
    *)
        die "unknown ansible-test command '$command' (sanity, units or integration)"
        ;;
esac

cmd+=("$@")
echo "+ cd $COPY && ${cmd[*]}"
in_venv "$line" "${cmd[@]}"
