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
      - V(auto) uses the credentials known from the options, the environment or the profile, either a service
        principal's O(client_id), O(secret) and O(tenant); or its O(client_id), O(tenant) and
        O(x509_certificate_path); or a user's O(ad_user) and O(password). When several are known, the one set
        by an option wins over the environment over the profile, then a secret over a certificate over a
        password. With none, azure-identity's default credential chain is used (its environment variables,
        workload identity with E(AZURE_FEDERATED_TOKEN_FILE), managed identity, Azure CLI).
      - V(env) uses only options and environment variables and V(credential_file) only options and the
        profile in C(~/.azure/credentials), and both require one of those credentials; V(cli) the account
        logged in with C(az login); V(msi) a managed identity (user-assigned when O(client_id) is given).
    type: str
    choices: [auto, env, credential_file, cli, msi]
    default: auto
  ad_user:
    description:
      - User name (UPN) of an Entra ID user, signed in with O(password) (the OAuth username/password flow,
        what AWX's username/password Azure credential uses).
      - Microsoft discourages this flow, and Entra ID refuses it for accounts that need multi-factor
        authentication; the task then fails saying so and naming the alternatives (a service principal,
        workload or managed identity).
      - O(client_id) is the public client to sign in with (default the Azure CLI's); O(tenant) defaults to
        V(organizations).
      - Falls back to E(AZURE_AD_USER), then to the profile.
    type: str
  password:
    description:
      - Password of O(ad_user). Never logged or returned.
      - Falls back to E(AZURE_PASSWORD), then to the profile.
    type: str
  x509_certificate_path:
    description:
      - Path on the node that runs the module of the certificate of the service principal O(client_id) in
        O(tenant), either a PEM file holding its private key and certificate, or a PKCS#12 (C(.pfx)) file whose
        password, if any, is in E(AZURE_CLIENT_CERTIFICATE_PASSWORD) (which also opens an encrypted PEM key).
      - The file is read and checked before anything is sent to Azure.
      - Falls back to E(AZURE_X509_CERTIFICATE_PATH), then azure-identity's E(AZURE_CLIENT_CERTIFICATE_PATH),
        then to the profile.
    type: path
  thumbprint:
    description:
      - SHA-1 thumbprint of the certificate in O(x509_certificate_path) (40 hexadecimal digits, colons
        allowed).
      - Optional when the file holds the certificate (the thumbprint is then computed, and a given one must
        match it); required when the PEM file holds only the private key.
      - Falls back to E(AZURE_THUMBPRINT), then to the profile.
    type: str
  cert_validation_mode:
    description:
      - Accepted for compatibility with C(azure.azcollection). TLS certificates are always validated.
      - V(ignore) is refused with an error, whether given here, in E(AZURE_CERT_VALIDATION_MODE) or in the
        profile; trust a private certificate authority with E(REQUESTS_CA_BUNDLE) instead.
    type: str
    choices: [validate, ignore]
requirements:
  - python >= 3.9
  - requests >= 2.28.0
  - azure-identity >= 1.15.0
notes:
  - TLS is always verified. A private certificate authority (Azure Stack Hub, the emulator) is trusted
    through E(REQUESTS_CA_BUNDLE).
'''
