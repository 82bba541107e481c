"""Write ansible-test's Azure cloud config (tests/integration/cloud-config-azure.ini) from the emulator's env.json.

ansible-test integration strips the environment; for targets with `cloud/azure` in their aliases it
turns each key of the [default] section of this file into an environment variable and an Ansible
variable (lower-cased). Usage: python cloud_config.py WORKDIR/env.json OUTPUT.ini [EMULATOR_URL]
"""

import json
import sys

REQUIRED = (
    'AZURE_CLIENT_ID',
    'AZURE_SECRET',
    'AZURE_SUBSCRIPTION_ID',
    'AZURE_TENANT',
    'REQUESTS_CA_BUNDLE',
    'AZURE_CLOUD_ENVIRONMENT',
    'AZURE_BACKUP_RESOURCE_GROUP',
    'AZURE_BACKUP_VAULT_NAME',
    'AZURE_BACKUP_EMULATOR_URL',
)
SECONDARY_RESOURCE_GROUP = 'rg-workloads'  # where the emulator's default scenario keeps its VMs


def main(env_json, output, url=None):
    with open(env_json) as handle:
        env = json.load(handle)
    if not isinstance(env, dict):
        sys.exit('cloud_config.py: %s is not a JSON object' % env_json)
    env = dict((str(key), str(value)) for key, value in env.items())
    if url:
        env.setdefault('AZURE_BACKUP_EMULATOR_URL', url)
    missing = [key for key in REQUIRED if not env.get(key)]
    if missing:
        sys.exit('cloud_config.py: %s lacks %s' % (env_json, ', '.join(missing)))
    env.setdefault('RESOURCE_GROUP', env['AZURE_BACKUP_RESOURCE_GROUP'])
    env.setdefault('RESOURCE_GROUP_SECONDARY', SECONDARY_RESOURCE_GROUP)
    lines = ['[default]'] + ['%s: %s' % (key, env[key].replace('%', '%%')) for key in sorted(env)]
    with open(output, 'w') as handle:
        handle.write('\n'.join(lines) + '\n')


if __name__ == '__main__':
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    main(*sys.argv[1:])
