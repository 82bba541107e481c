# SPDX-License-Identifier: GPL-3.0-or-later
"""Check the collection's HTML site (tests/utils/docs.sh builds it) as a reader sees it: every page is opened in
headless Chromium and the checks read the DOM Chromium rendered.
 - every module, role and filter that ansible-doc knows has its page; it shows each of its options (ansible-doc's
   JSON, suboptions and aliases included), an examples section with the code of every example task, and each
   return value; a role page shows the options of each entry point;
 - every See Also entry is a link (not plain text);
 - every guide in docs/*.md is a page with its title, listed on the guides page the collection index links to;
 - every internal link (a, link, script, img) on every page points to an existing file of the site, and its
   #anchor to an element of the page it points to; pages load nothing from the network.
It fails, and never skips, when Chromium is missing or cannot render a page.
Usage: check_site.py --site HTML_DIR --guides DOCS_DIR [--ansible-doc PATH] [--collection NS.NAME] [--jobs N]
"""

import argparse
import concurrent.futures
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VOID = {'area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr'}
EXTERNAL = ('http:', 'https:', 'mailto:', 'ftp:')
# The plugin types the site documents, with the suffix of their page names.
PLUGIN_TYPES = ('module', 'role', 'filter', 'test', 'lookup')
# How antsibull-docs titles the input and the result of a filter or test.
SHOWN_AS = {'_input': 'Input', '_value': 'Return value'}


class Node:
    __slots__ = ('attrs', 'children', 'data', 'parent', 'tag')

    def __init__(self, tag, attrs=None, parent=None, data=''):
        self.tag = tag
        self.attrs = attrs or {}
        self.children = []
        self.parent = parent
        self.data = data

    def text(self):
        if self.tag == '#text':
            return self.data
        return ''.join(child.text() for child in self.children)

    def iter(self):
        yield self
        for child in self.children:
            yield from child.iter()

    def classes(self):
        return self.attrs.get('class', '').split()

    def find_all(self, tag=None, cls=None):
        for node in self.iter():
            if node.tag == '#text' or (tag and node.tag != tag) or (cls and cls not in node.classes()):
                continue
            yield node

    def find(self, tag=None, cls=None):
        return next(self.find_all(tag, cls), None)

    def ancestor(self, tag):
        node = self.parent
        while node is not None and node.tag != tag:
            node = node.parent
        return node


class TreeBuilder(html.parser.HTMLParser):
    """A DOM tree from the HTML Chromium serialises (well formed: every element that is not void is closed)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node('#document')
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {name: value or '' for name, value in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, {name: value or '' for name, value in attrs}, self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(Node('#text', parent=self.current, data=data))


class Page:
    def __init__(self, path, dom):
        self.path = path
        self.dom = dom
        self.ids = {}
        for node in dom.iter():
            if node.tag == '#text':
                continue
            if node.attrs.get('id'):
                self.ids.setdefault(node.attrs['id'], node)
            if node.tag == 'a' and node.attrs.get('name'):
                self.ids.setdefault(node.attrs['name'], node)


def norm(text):
    text = text.replace('\u2019', "'").replace('\u2018', "'").replace('\u201c', '"').replace('\u201d', '"')
    return ' '.join(text.replace('\u00b6', '').split())


class Checker:
    def __init__(self, args):
        self.args = args
        self.site = os.path.realpath(args.site)
        self.failures = []
        self.counts = {}
        self.local = threading.local()
        self.profiles = []

    def fail(self, where, message):
        failure = f'{where}: {message}'
        if failure not in self.failures:
            self.failures.append(failure)

    def count(self, what, n=1):
        self.counts[what] = self.counts.get(what, 0) + n

    def rel(self, path):
        return os.path.relpath(path, self.site)

    # --- Chromium -------------------------------------------------------------------------------------------
    def find_chromium(self):
        if self.args.chromium:
            if not os.access(self.args.chromium, os.X_OK):
                raise SystemExit(f'check_site: FAILED: {self.args.chromium} is not a program: cannot check the site')
            return self.args.chromium
        script = os.path.join(ROOT, 'tests', 'utils', 'chromium.sh')
        result = subprocess.run([script], capture_output=True, text=True, check=False)
        sys.stderr.write(result.stderr)
        path = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ''
        if result.returncode != 0 or not path or not os.access(path, os.X_OK):
            raise SystemExit(
                f'check_site: FAILED: no Chromium ({script} exited {result.returncode}): cannot check the site'
            )
        return path

    def render(self, path):
        profile = getattr(self.local, 'profile', None)
        if profile is None:
            profile = self.local.profile = tempfile.mkdtemp(prefix='check_site-chromium-')
            self.profiles.append(profile)
        command = [
            self.chromium,
            '--headless',
            '--no-sandbox',
            '--disable-gpu',
            '--disable-dev-shm-usage',
            '--no-first-run',
            '--disable-extensions',
            '--disable-background-networking',
            '--disable-sync',
            '--mute-audio',
            f'--user-data-dir={profile}',
            # The site must work from disk: no host name resolves, so nothing can come from the network.
            '--host-resolver-rules=MAP * ~NOTFOUND',
            '--dump-dom',
            'file://' + urllib.parse.quote(path),
        ]
        for attempt in (1, 2):
            try:
                result = subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)
            except subprocess.TimeoutExpired:
                error = 'timed out after 90 s'
                continue
            except OSError as exc:
                return None, f'Chromium could not be started ({exc})'
            if result.returncode == 0 and '<body' in result.stdout:
                builder = TreeBuilder()
                builder.feed(result.stdout)
                builder.close()
                return Page(path, builder.root), None
            error = f'exit status {result.returncode}: {result.stderr.strip()[-500:]}'
            if attempt == 1:
                time.sleep(1)
        return None, f'Chromium could not render it ({error})'

    # --- ansible-doc ----------------------------------------------------------------------------------------
    def ansible_doc(self, *arguments):
        command = [self.args.ansible_doc, '--json', *arguments]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise SystemExit(f'check_site: FAILED: {" ".join(command)} exited {result.returncode}: {result.stderr}')
        return json.loads(result.stdout or '{}')

    def plugins(self):
        collection = self.args.collection
        found = {}
        for plugin_type in PLUGIN_TYPES:
            names = sorted(self.ansible_doc('-t', plugin_type, '-l', collection))
            names = [name for name in names if name.startswith(collection + '.')]
            if names:
                found[plugin_type] = self.ansible_doc('-t', plugin_type, *names)
        if not found.get('module'):
            raise SystemExit(f'check_site: FAILED: ansible-doc lists no module of {collection}')
        return found

    # --- the checks -----------------------------------------------------------------------------------------
    def check_options(self, page, where, options, prefix, what='option'):
        for name, spec in sorted((options or {}).items()):
            path = prefix + name
            anchor = page.ids.get(f'parameter-{path}')
            self.count(what + 's')
            if anchor is None:
                self.fail(where, f'{what} {path} is not shown (no element parameter-{path})')
                continue
            cell = anchor.parent
            titles = [norm(node.text()) for node in cell.find_all('p', 'ansible-option-title')]
            if SHOWN_AS.get(path, name) not in titles or anchor.ancestor('tr') is None:
                self.fail(where, f'{what} {path}: its row does not show the name {name!r} (shows {titles})')
            for alias in spec.get('aliases') or []:
                alias_path = prefix + alias
                if f'parameter-{alias_path}' not in page.ids or alias not in norm(cell.text()):
                    self.fail(where, f'{what} {path}: alias {alias} is not shown')
            self.check_options(page, where, spec.get('suboptions'), path + '/', what)

    def check_returns(self, page, where, returns, prefix=''):
        for name, spec in sorted((returns or {}).items()):
            path = prefix + name
            if path == 'ansible_facts':
                # antsibull-docs shows the facts a module sets in a section of their own, one row per fact.
                section = page.ids.get('returned-facts')
                if section is None or section.tag != 'section':
                    self.fail(where, 'ansible_facts is returned, but there is no Returned Facts section')
                self.check_returns(page, where, spec.get('contains'), path + '/')
                continue
            anchor = page.ids.get(f'return-{path}')
            self.count('return values')
            if anchor is None:
                self.fail(where, f'return value {path} is not shown (no element return-{path})')
                continue
            titles = [norm(node.text()) for node in anchor.parent.find_all('p', 'ansible-option-title')]
            if SHOWN_AS.get(path, name) not in titles:
                self.fail(where, f'return value {path}: its row does not show the name {name!r} (shows {titles})')
            self.check_returns(page, where, spec.get('contains'), path + '/')

    def check_examples(self, page, where, examples):
        section = page.ids.get('examples')
        code = list(section.find_all('pre')) if section is not None and section.tag == 'section' else []
        shown = norm('\n'.join(node.text() for node in code))
        if not shown:
            self.fail(where, 'no examples section with code')
            return
        tasks = re.findall(r'^\s*- name:\s*(.+?)\s*$', examples or '', re.MULTILINE)
        if not tasks:
            self.fail(where, 'the examples have no named task to look for')
        for task in tasks:
            self.count('example tasks')
            if norm(task) not in shown:
                self.fail(where, f'example task {task!r} is not in the examples shown')

    def check_seealso(self, page, where, seealso):
        if not seealso:
            return
        section = page.ids.get('see-also')
        box = section.find('div', 'seealso') if section is not None else None
        entries = list(box.find_all('dt')) if box is not None else []
        if len(entries) != len(seealso):
            self.fail(where, f'See Also shows {len(entries)} entries, the documentation has {len(seealso)}: {seealso}')
        for entry in entries:
            self.count('see also entries')
            link = entry.find('a')
            if link is None or not link.attrs.get('href'):
                self.fail(where, f'See Also entry {norm(entry.text())!r} is plain text, not a link')

    def check_title(self, page, where, expected):
        heading = page.dom.find('h1')
        if heading is None or expected not in norm(heading.text()):
            self.fail(where, f'the page title is {norm(heading.text()) if heading else None!r}, not {expected!r}')

    def check_plugin_pages(self, plugins, pages):
        collection = self.args.collection
        namespace, name = collection.split('.')
        for plugin_type, docs in sorted(plugins.items()):
            for fqcn, record in sorted(docs.items()):
                short = fqcn.split('.')[-1]
                path = os.path.join(self.site, 'collections', namespace, name, f'{short}_{plugin_type}.html')
                where = self.rel(path)
                page = pages.get(path)
                self.count(f'{plugin_type} pages')
                if page is None:
                    self.fail(where, f'the {plugin_type} {fqcn} has no page')
                    continue
                self.check_title(page, where, f'{fqcn} {plugin_type}')
                if plugin_type == 'role':
                    for entry_point, spec in sorted((record.get('entry_points') or {}).items()):
                        self.count('role entry points')
                        headings = [norm(node.text()) for node in page.dom.find_all('h2')]
                        if not any(heading.startswith(f'Entry point {entry_point}') for heading in headings):
                            self.fail(where, f'entry point {entry_point} has no heading (headings: {headings})')
                        self.check_options(page, where, spec.get('options'), f'{entry_point}--', 'entry point option')
                        self.check_seealso(page, where, spec.get('seealso'))
                    continue
                doc = record.get('doc') or {}
                self.check_options(page, where, doc.get('options'), '')
                self.check_examples(page, where, record.get('examples'))
                if plugin_type == 'module' and not record.get('return'):
                    self.fail(where, f'{fqcn} documents no return values')
                self.check_returns(page, where, record.get('return'))
                section = page.ids.get('return-values') or page.ids.get('return-value')
                if record.get('return') and (section is None or section.tag != 'section'):
                    self.fail(where, 'no Return Values section')
                self.check_seealso(page, where, doc.get('seealso'))

    def check_guides(self, pages):
        namespace, name = self.args.collection.split('.')
        docsite = os.path.join(self.site, 'collections', namespace, name, 'docsite')
        index = pages.get(os.path.join(docsite, 'guides.html'))
        collection_index = pages.get(os.path.join(self.site, 'collections', namespace, name, 'index.html'))
        listed = set()
        if index is None:
            self.fail(self.rel(docsite), 'no guides page (guides.html)')
        else:
            listed = {
                os.path.normpath(os.path.join(docsite, urllib.parse.urlsplit(a.attrs['href']).path))
                for a in index.dom.find_all('a')
                if a.attrs.get('href') and not a.attrs['href'].startswith(EXTERNAL)
            }
        if collection_index is None or not any(
            a.attrs.get('href', '').split('#')[0] == 'docsite/guides.html' for a in collection_index.dom.find_all('a')
        ):
            self.fail(f'collections/{namespace}/{name}/index.html', 'does not link to the guides page')
        guides = sorted(entry for entry in os.listdir(self.args.guides) if entry.endswith('.md'))
        if not guides:
            self.fail(self.args.guides, 'no guides (*.md) to look for')
        for guide in guides:
            path = os.path.join(docsite, 'guides', guide[:-3] + '.html')
            where = self.rel(path)
            self.count('guide pages')
            page = pages.get(path)
            if page is None:
                self.fail(where, f'the guide docs/{guide} has no page')
                continue
            with open(os.path.join(self.args.guides, guide), encoding='utf-8') as source:
                heading = next((line[2:].strip() for line in source if line.startswith('# ')), None)
            if heading:
                self.check_title(page, where, norm(heading.replace('`', '').replace('**', '')))
            if path not in listed:
                self.fail(self.rel(docsite) + '/guides.html', f'does not link to the guide docs/{guide}')

    def check_links(self, pages):
        resources = (('a', 'href'), ('link', 'href'), ('script', 'src'), ('img', 'src'), ('iframe', 'src'))
        targets = set()
        for path, page in sorted(pages.items()):
            where = self.rel(path)
            base = 'file://' + urllib.parse.quote(path)
            for tag, attribute in resources:
                for node in page.dom.find_all(tag):
                    value = node.attrs.get(attribute)
                    if not value:
                        continue
                    if value.startswith(EXTERNAL) or value.startswith('//'):
                        if tag != 'a':
                            self.fail(where, f'<{tag}> loads {value} from the network')
                        self.count('external links (not followed)')
                        continue
                    if value.startswith(('javascript:', 'data:')):
                        continue
                    self.count('internal links')
                    url = urllib.parse.urlsplit(urllib.parse.urljoin(base, value))
                    target = os.path.realpath(urllib.parse.unquote(url.path))
                    if url.scheme != 'file' or not (target == self.site or target.startswith(self.site + os.sep)):
                        self.fail(where, f'{tag} {value!r} points outside the site ({url.geturl()})')
                        continue
                    if os.path.isdir(target):
                        target = os.path.join(target, 'index.html')
                    if not os.path.isfile(target):
                        self.fail(where, f'{tag} {value!r}: {self.rel(target)} does not exist')
                        continue
                    targets.add(target)
                    fragment = urllib.parse.unquote(url.fragment)
                    if fragment and target.endswith('.html'):
                        self.count('internal links with an anchor')
                        target_page = pages.get(target)
                        if target_page is None:
                            self.fail(where, f'{value!r}: {self.rel(target)} was not rendered')
                        elif fragment not in target_page.ids:
                            self.fail(where, f'{value!r}: {self.rel(target)} has no element with id {fragment!r}')
        self.count('distinct link targets', len(targets))

    def run(self):
        start = time.monotonic()
        if not os.path.isfile(os.path.join(self.site, 'index.html')):
            raise SystemExit(f'check_site: FAILED: {self.site}/index.html does not exist (build the site first)')
        self.chromium = self.find_chromium()
        paths = sorted(
            os.path.join(directory, entry)
            for directory, subdirectories, entries in os.walk(self.site)
            for entry in entries
            if entry.endswith('.html') and not os.path.relpath(directory, self.site).startswith(('_static', '_sources'))
        )
        try:
            with concurrent.futures.ThreadPoolExecutor(max_workers=self.args.jobs) as pool:
                plugins_future = pool.submit(self.plugins)
                rendered = dict(zip(paths, pool.map(self.render, paths)))
                plugins = plugins_future.result()
        finally:
            for profile in self.profiles:
                shutil.rmtree(profile, ignore_errors=True)
        pages = {}
        for path, (page, error) in rendered.items():
            if page is None:
                self.fail(self.rel(path), error)
            else:
                pages[path] = page
        self.count('pages opened in Chromium', len(pages))
        self.check_plugin_pages(plugins, pages)
        self.check_guides(pages)
        self.check_links(pages)

        elapsed = time.monotonic() - start
        for what, n in sorted(self.counts.items()):
            print(f'check_site: {n:5d} {what}')
        if self.failures:
            for failure in self.failures:
                print(f'check_site: FAIL {failure}')
            print(f'check_site: FAILED: {len(self.failures)} problems in {self.site} ({elapsed:.0f} s)')
            return 1
        print(f'check_site: OK: {len(pages)} pages of {self.site} rendered and checked in {elapsed:.0f} s')
        return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--site', required=True, help='the built HTML site (index.html at its top)')
    parser.add_argument('--guides', required=True, help="the folder of the guides (the collection's docs/)")
    parser.add_argument('--ansible-doc', default='ansible-doc', help='the ansible-doc that sees the collection')
    parser.add_argument('--collection', default='cloudops.azure_backup')
    parser.add_argument('--chromium', help='the browser (default: what tests/utils/chromium.sh prints)')
    parser.add_argument('--jobs', type=int, default=2, help='pages rendered at once (default: 2)')
    return Checker(parser.parse_args()).run()


if __name__ == '__main__':
    sys.exit(main())
