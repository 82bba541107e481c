# Sphinx configuration of the collection's HTML site, built by tests/utils/docs.sh (make docs).
# Started from what `antsibull-docs sphinx-init` 2.28 generates, with these differences:
#  - offline: no sphinx.ext.intersphinx (its inventories are downloaded). The few labels of the Ansible
#    docsite that antsibull-docs' own templates point at are resolved below to docs.ansible.com links;
#    any other unresolved reference stays a warning, and warnings are errors (sphinx-build -W).
#  - myst_parser: the user guides are the Markdown files in docs/, each a page of the site as it is
#    (tests/utils/docs.sh copies them in and gives each the label antsibull-docs' convention asks for,
#    ansible_collections.cloudops.azure_backup.docsite.<file name>; the site's index lists them under
#    "User guides", docs/docsite/rst/guides.rst on the collection's page). Why not antsibull-docs' extra
#    docs alone: those must be RST in docs/docsite/rst/; converting the guides would make two copies to
#    keep in step, and an RST page that includes a guide's Markdown fails `antsibull-docs
#    lint-collection-docs` (make lint), which reads extra docs without Sphinx.
#  - the theme's logo link points at the site's own index instead of the web server's root.
# SPDX-License-Identifier: GPL-3.0-or-later

import re

from docutils import nodes

project = 'cloudops.azure_backup'
copyright = 'cloudops.azure_backup maintainers'  # pylint: disable=redefined-builtin

title = 'cloudops.azure_backup'
html_short_title = 'cloudops.azure_backup'

extensions = ['sphinx_antsibull_ext', 'myst_parser']

pygments_style = 'ansible'
highlight_language = 'YAML+Jinja'

html_theme = 'sphinx_ansible_theme'
html_show_sphinx = False
display_version = False

html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False

default_role = 'any'
nitpicky = True

# The guides link to each other's headings GitHub-style (emulator.md#username--password-ropc); the
# slugs MyST makes for headings of every level are the same.
myst_heading_anchors = 6

# Labels of the Ansible docsite (docs.ansible.com) that antsibull-docs' page templates use; online
# builds resolve them through intersphinx.
ANSIBLE_DOCS = 'https://docs.ansible.com/projects/ansible/latest/'
ANSIBLE_LABELS = {
    'action_plugins': 'plugins/action.html#action-plugins',
    'common_return_values': 'reference_appendices/common_return_values.html#common-return-values',
    'ansible_configuration_settings': 'reference_appendices/config.html#ansible-configuration-settings',
}
# ansible.builtin plugins, as M(ansible.builtin.NAME) and the like refer to them.
BUILTIN_PLUGIN_LABEL = re.compile(r'^ansible_collections\.ansible\.builtin\.(\w+)_(\w+)$')


def _resolve_ansible_docsite(app, env, node, contnode):
    if node.get('refdomain') != 'std' or node.get('reftype') != 'ref':
        return None
    target = node.get('reftarget', '')
    if target in ANSIBLE_LABELS:
        uri = ANSIBLE_DOCS + ANSIBLE_LABELS[target]
    elif match := BUILTIN_PLUGIN_LABEL.match(target):
        name, plugin_type = match.groups()
        uri = f'{ANSIBLE_DOCS}collections/ansible/builtin/{name}_{plugin_type}.html'
    else:
        return None
    reference = nodes.reference('', '', internal=False, refuri=uri)
    reference += contnode
    return reference


def _home_is_the_index(app, pagename, templatename, context, doctree):
    # sphinx_ansible_theme links its logo to documentation_home_url, '/' by default: outside the site
    # when it is opened from disk or served below the server's root.
    context['theme_documentation_home_url'] = context['pathto'](app.config.root_doc)


def setup(app):
    app.connect('missing-reference', _resolve_ansible_docsite)
    app.connect('html-page-context', _home_is_the_index)
