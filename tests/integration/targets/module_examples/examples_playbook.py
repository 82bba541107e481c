# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Write a playbook that runs every module's EXAMPLES (as ansible-doc shows them), in an order where each builds on the last,
then every filter's (which may use what the modules' examples registered)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import subprocess
import sys

# Modules whose examples use what an earlier module's examples registered come later. Each runs at an
# emulator pace that lets its examples show what they mean (None: the pace the emulator started with):
# a cancellation must reach a backup while it still takes its snapshot.
ORDER = [
    ('azure_backup_trigger', None),
    ('azure_backup_job_wait', None),
    ('azure_backup_job_info', None),
    ('azure_backup_job_cancel', 10),
    ('azure_backup_policy_info', None),
    ('azure_backup_protected_item_info', None),
    ('azure_backup_recovery_point_info', None),
    ('azure_backup_restore', None),
    ('azure_backup_restored_resources', None),
    ('azure_backup_protection', None),
]

PLAY = '''- name: Examples of {name}
  hosts: localhost
  connection: local
  gather_facts: false
  module_defaults:
    cloudops.azure_backup.azure_backup_trigger: {{poll_interval: 0.2}}
    cloudops.azure_backup.azure_backup_job_wait: {{poll_interval: 0.2}}
    cloudops.azure_backup.azure_backup_job_cancel: {{poll_interval: 0.2}}
    cloudops.azure_backup.azure_backup_restore: {{poll_interval: 0.2}}
    cloudops.azure_backup.azure_backup_protection: {{poll_interval: 0.2}}
  pre_tasks:
    - name: Set the emulator's pace for these examples
      ansible.builtin.uri:
        url: "{{{{ lookup('ansible.builtin.env', 'AZURE_BACKUP_EMULATOR_URL') }}}}/_emulator/time/scale"
        method: POST
        body_format: json
        body: {{scale: {scale}}}
        ca_path: "{{{{ lookup('ansible.builtin.env', 'REQUESTS_CA_BUNDLE') }}}}"
  tasks:
{tasks}
'''


def ansible_doc(*args, **kwargs):
    kind = kwargs.get('kind', 'module')
    return json.loads(subprocess.check_output(['ansible-doc', '-t', kind, '--json'] + list(args)))


def indented(text):
    return '\n'.join(('    ' + line) if line.strip() else '' for line in text.strip('\n').splitlines())


def main():
    present = sorted(name.split('.')[-1] for name in ansible_doc('-l', 'cloudops.azure_backup'))
    docs = ansible_doc(*('cloudops.azure_backup.' + name for name in present))
    names = [name for name, dummy in ORDER]
    missing = sorted(set(present) - set(names))
    if missing:
        raise SystemExit('examples_playbook.py: add %s to ORDER so that their examples run' % ', '.join(missing))
    start_scale = float(sys.argv[1])
    plays = []
    for name, scale in ORDER:
        if name not in present:
            raise SystemExit('examples_playbook.py: ORDER names %s, which does not exist' % name)
        tasks = indented(docs['cloudops.azure_backup.' + name]['examples'])
        plays.append(PLAY.format(name=name, tasks=tasks, scale=scale or start_scale))
    filters = sorted(ansible_doc('-l', 'cloudops.azure_backup', kind='filter'))
    if not filters:
        raise SystemExit('examples_playbook.py: ansible-doc lists no filter of the collection')
    filter_docs = ansible_doc(*filters, kind='filter')
    for name in filters:
        plays.append(PLAY.format(name=name, tasks=indented(filter_docs[name]['examples']), scale=start_scale))
    sys.stdout.write('---\n' + '\n'.join(plays))


if __name__ == '__main__':
    main()
