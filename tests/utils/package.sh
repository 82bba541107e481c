#!/usr/bin/env bash
# The collection as a user gets it: build the tarball, check what is in it, install it where nothing else
# is, read a module's documentation from that install, and run the documented `ansible-builder create` on
# execution-environment.yml (no container engine is needed for create), checking the build context.
# Usage: tests/utils/package.sh
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
venv="$(venv_for 3.11)"
[ -x "$venv/bin/ansible-builder" ] || die "$venv/bin/ansible-builder is missing: run 'make setup'"
fail() { echo "package.sh: $*" >&2; exit 1; }

version=$(sed -n 's/^version: *//p' "$ROOT/galaxy.yml")
tarball="$CACHE/build/cloudops-azure_backup-$version.tar.gz"
rm -f "$tarball"
"$ROOT/tests/utils/build.sh"
[ -f "$tarball" ] || fail "build.sh made no $tarball"

# 1. What the tarball holds: the collection, never a cache, a venv or a build folder.
listing=$(tar -tzf "$tarball")
for wanted in MANIFEST.json FILES.json README.md meta/runtime.yml meta/execution-environment.yml \
    plugins/modules/azure_backup_trigger.py plugins/filter/as_list.py roles/backup/meta/argument_specs.yml \
    playbooks/backup_and_wait.yml docs/awx.md; do
    grep -qx "$wanted" <<<"$listing" || fail "the tarball lacks $wanted"
done
generated=$(grep -E '(^|/)(\.venv[^/]*|\.cache|\.pytest_cache|\.hypothesis|\.ruff_cache|__pycache__|tests/output|build|dist|context|\.ansible|[^/]*\.egg-info)(/|$)' <<<"$listing" || true)
[ -z "$generated" ] || fail "the tarball holds generated files: $(head -5 <<<"$generated" | tr '\n' ' ')"
grep -q 'make demo' <(tar -xzOf "$tarball" README.md) && ! grep -qi 'for a clone\|from a clone\|in a clone' <(tar -xzOf "$tarball" README.md) \
    && fail "the tarball's README shows make targets without saying they are for a clone of the repository"
echo "package.sh: $(wc -l <<<"$listing") files in $(basename "$tarball"), none generated"

# 2. Installed alone, it documents itself.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# (from $work: the repository's ansible.cfg would resolve cloudops.azure_backup to the working tree)
(cd "$work" && "$venv/bin/ansible-galaxy" collection install "$tarball" -p "$work/collections" >"$work/install.txt" 2>&1) \
    || { cat "$work/install.txt"; fail "ansible-galaxy collection install failed"; }
[ -f "$work/collections/ansible_collections/cloudops/azure_backup/MANIFEST.json" ] \
    || { cat "$work/install.txt"; fail "ansible-galaxy collection install installed nothing"; }
doc() { (cd "$work" && ANSIBLE_NOCOLOR=1 ANSIBLE_COLLECTIONS_PATH="$work/collections" "$venv/bin/ansible-doc" "$@" 2>&1); }
grep -q 'job_ids' <<<"$(doc cloudops.azure_backup.azure_backup_job_wait)" \
    || fail "ansible-doc shows no job_ids for the installed azure_backup_job_wait"
grep -q 'backup_vms' <<<"$(doc -t role cloudops.azure_backup.backup)" \
    || fail "ansible-doc shows no backup_vms for the installed role backup"
grep -q 'survey' <<<"$(doc -t filter cloudops.azure_backup.as_list)" \
    || fail "ansible-doc shows nothing for the installed filter as_list"

# 3. ansible-builder reads the collection's Python requirements, and `create` works as documented.
introspected=$("$venv/bin/ansible-builder" introspect "$work/collections")
for requirement in requests azure-identity; do
    grep -qE "^- '?${requirement}[<>=]" <<<"$introspected" \
        || fail "ansible-builder introspect does not list $requirement: $introspected"
done
grep -q "cloudops-azure_backup-$version.tar.gz" "$ROOT/execution-environment.yml" \
    || fail "execution-environment.yml does not name the tarball of version $version"
# The command exactly as docs/awx.md shows it, with the context directory put in $work.
documented=$(sed -n 's/^\$ \(ansible-builder create .*\)$/\1/p' "$ROOT/docs/awx.md")
[ -n "$documented" ] || fail "docs/awx.md shows no '\$ ansible-builder create' command"
read -r -a words <<<"$documented"
for i in "${!words[@]}"; do
    if [ "${words[$i]}" = -c ] || [ "${words[$i]}" = --context ]; then words[i+1]="$work/context"; fi
done
echo "+ ${words[*]}"
(cd "$ROOT" && "$venv/bin/${words[0]}" "${words[@]:1}" >"$work/create.txt" 2>&1) \
    || { cat "$work/create.txt"; fail "ansible-builder create, as documented, failed"; }
[ -f "$work/context/Containerfile" ] || fail "ansible-builder create wrote no Containerfile"
find "$work/context" -name "cloudops-azure_backup-$version.tar.gz" | grep -q . \
    || fail "the build context lacks the collection tarball"
grep -q 'cloudops-azure_backup' "$work/context/_build/requirements.yml" \
    || fail "the build context's requirements.yml does not install the collection"
echo "package.sh: installed alone it documents itself; ansible-builder create wrote $(find "$work/context" -type f | wc -l) files"
