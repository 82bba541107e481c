# -*- coding: utf-8 -*-
# Copyright: contributors to the cloudops.azure_backup collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Authentication options shared by every module of the collection.
    DOCUMENTATION = r'''
options:
  subscription_id:
    description:
      - The Azure subscription that holds the Recovery Services vault.
      - Falls back to E(AZURE_SUBSCRIPTION_ID), then to the selected profile in C(~/.azure/credentials).
    type: str
  client_id:
    description:
      - Application (client) id of a service principal.
      - Falls back to E(AZURE_CLIENT_ID), then to the profile.
    type: str
  secret:
    description:
      - Client secret of the service principal given by O(client_id).
      - Falls back to E(AZURE_SECRET), then to the profile. Never logged or returned.
    type: str
  tenant:
    description:
      - Entra ID (Azure AD) tenant id of the service principal.
      - Falls back to E(AZURE_TENANT), then to the profile.
    type: str
  profile:
    description:
      - Name of a section of C(~/.azure/credentials) to read the credentials from.
      - Falls back to E(AZURE_PROFILE); the section C(default) is used when the file exists and
        nothing else names the credentials.
    type: str
  cloud_environment:
    description:
      - The Azure cloud to talk to. Either a name, V(AzureCloud), V(AzureChinaCloud) or
        V(AzureUSGovernment), or the URL of a cloud metadata endpoint (for example an Azure Stack Hub
        or the collection's emulator, C(https://host/metadata/endpoints)), with or without its
        C(api-version) query.
      - The resource manager endpoint, the login authority and the token audience all follow the cloud.
      - Falls back to E(AZURE_CLOUD_ENVIRONMENT), then to the profile, then to V(AzureCloud).
    type: str
  auth_source:
    description:
      - Where the credential comes from.
      - V(auto) uses a service principal when O(client_id), O(secret) and O(tenant) are known from the
        options, the environment or the profile, and otherwise azure-identity's default credential chain
        (environment, workload identity, managed identity, Azure CLI).
      - V(env) uses only options and environment variables; V(credential_file) only the profile in
        C(~/.azure/credentials); V(cli) the account logged in with C(az login); V(msi) a managed identity
        (user-assigned when O(client_id) is given).
    type: str
    choices: [auto, env, credential_file, cli, msi]
    default: auto
requirements:
  - python >= 3.9
  - requests >= 2.28.0
  - azure-identity >= 1.15.0
notes:
  - TLS is always verified. A private certificate authority (Azure Stack Hub, the emulator) is trusted
    through E(REQUESTS_CA_BUNDLE).
'''
