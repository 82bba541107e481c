#!/usr/bin/env bash
# Build the collection's HTML documentation site into .cache/docs/html, offline, and check it in headless
# Chromium (tests/docs/check_site.py).
#   1. antsibull-docs writes the RST of every module, role and filter (and of docs/docsite/rst/) from the
#      working-tree copy the other scripts use (sync_copy, $COPY), found through ANSIBLE_COLLECTIONS_PATH;
#   2. the user guides (docs/*.md) are copied in as Markdown pages (myst-parser reads them, see
#      tests/docs/sphinx/conf.py for why), each with the label antsibull-docs' convention asks for:
#      ansible_collections.cloudops.azure_backup.docsite.<file name>;
#   3. sphinx-build with tests/docs/sphinx/conf.py: no intersphinx, no download; -W (every warning fails
#      the build, the few exceptions are in conf.py with their reason), -n (every reference must resolve);
#   4. tests/docs/check_site.py opens every page in Chromium and checks what they show and link to.
# Usage: tests/utils/docs.sh   (make docs). Needs .venv (make setup) and Chromium (tests/utils/chromium.sh).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
venv="$(venv_for 3.11)"
for tool in antsibull-docs sphinx-build ansible-doc; do
    [ -x "$venv/bin/$tool" ] || die "$venv/bin/$tool is missing: run 'make setup'"
done
"$venv/bin/python" -c 'import myst_parser, sphinx_ansible_theme' 2>/dev/null \
    || die "myst-parser or sphinx-ansible-theme is missing from $venv: run 'make setup'"

site="$CACHE/docs"
src="$site/rst"
html="$site/html"
guides="$src/collections/cloudops/azure_backup/docsite/guides"
start=$SECONDS

lock_copy
sync_copy
rm -rf "$src" "$html"
mkdir -p "$src"
chmod og-w "$src"  # antsibull-docs refuses a destination others can write to

# The copy, and nothing else: not the working-tree link in .cache/collections, nor ~/.ansible/collections.
# From $site, so that no ansible.cfg applies.
export ANSIBLE_COLLECTIONS_PATH="$CACHE" ANSIBLE_NOCOLOR=1
cd "$site"
echo "+ antsibull-docs collection --use-current --fail-on-error --dest-dir $src cloudops.azure_backup"
PATH="$venv/bin:$PATH" antsibull-docs --config-file "$ROOT/tests/docs/sphinx/antsibull-docs.cfg" \
    collection --use-current --fail-on-error --dest-dir "$src" cloudops.azure_backup
cp "$ROOT/tests/docs/sphinx/index.rst" "$src/index.rst"

# The guides, as they are; only a MyST label line goes on top of each.
mkdir -p "$guides"
count=0
for guide in "$COPY"/docs/*.md; do
    name="$(basename "$guide" .md)"
    { printf '(ansible_collections.cloudops.azure_backup.docsite.%s)=\n\n' "$name"; cat "$guide"; } > "$guides/$name.md"
    count=$((count + 1))
done
[ "$count" -gt 0 ] || die "no guides in $COPY/docs/*.md"
echo "docs.sh: $count guides from docs/*.md"

# -j 2: the two cores of these machines; -q: warnings and errors only.
echo "+ sphinx-build -b html -W --keep-going -n -j 2 -q -c tests/docs/sphinx $src $html"
"$venv/bin/sphinx-build" -b html -W --keep-going -n -j 2 -q -c "$ROOT/tests/docs/sphinx" "$src" "$html"
echo "docs.sh: built $(find "$html" -name '*.html' | wc -l) pages into $html in $((SECONDS - start)) s"

echo "+ python tests/docs/check_site.py $html"
"$venv/bin/python" "$ROOT/tests/docs/check_site.py" --site "$html" --guides "$COPY/docs" \
    --ansible-doc "$venv/bin/ansible-doc" --collection cloudops.azure_backup
echo "docs.sh: done in $((SECONDS - start)) s; open file://$html/index.html"
