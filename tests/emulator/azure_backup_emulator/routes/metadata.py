"""Cloud metadata endpoint (what `az cloud register` and the collection's cloud_environment read)."""

from flask import request

from .common import base_url, json_response


def register(app):
    app.add_url_rule("/metadata/endpoints", endpoint="Metadata", view_func=metadata_endpoints, methods=["GET"])


def cloud_object(base):
    """The 2022-09-01 single-cloud object, same keys as Azure's, pointing at the emulator."""
    root = base + "/"
    return {
        "portal": base + "/portal",
        "authentication": {
            "loginEndpoint": root,
            "audiences": [root],
            "tenant": "common",
            "identityProvider": "AAD",
        },
        "media": base + "/media",
        "graphAudience": base + "/graph/",
        "graph": base + "/graph/",
        "name": "AzureBackupEmulator",
        "suffixes": {
            "azureDataLakeStoreFileSystem": "azuredatalakestore.emulator",
            "acrLoginServer": "azurecr.emulator",
            "sqlServerHostname": "database.emulator",
            "azureDataLakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.emulator",
            "keyVaultDns": "vault.emulator",
            "storage": "core.emulator",
            "azureFrontDoorEndpointSuffix": "azurefd.emulator",
            "storageSyncEndpointSuffix": "afs.emulator",
            "mhsmDns": "managedhsm.emulator",
            "mysqlServerEndpoint": "mysql.database.emulator",
            "postgresqlServerEndpoint": "postgres.database.emulator",
            "mariadbServerEndpoint": "mariadb.database.emulator",
            "synapseAnalytics": "dev.azuresynapse.emulator",
            "attestationEndpoint": "attest.emulator",
        },
        "batch": base + "/batch/",
        "resourceManager": root,
        "vmImageAliasDoc": base + "/vmImageAliasDoc/aliases.json",
        "activeDirectoryDataLake": base + "/datalake/",
        "sqlManagement": base + "/sqlManagement/",
        "microsoftGraphResourceId": base + "/graph/",
        "appInsightsResourceId": base + "/appInsights",
        "appInsightsTelemetryChannelResourceId": base + "/appInsights/v2/track",
        "attestationResourceId": base + "/attest",
        "synapseAnalyticsResourceId": base + "/synapse",
        "logAnalyticsResourceId": base + "/logAnalytics",
        "ossrDbmsResourceId": base + "/ossrdbms",
        "gallery": base + "/gallery/",
    }


def legacy_object(base):
    """The 2015-01-01 Azure Stack object."""
    root = base + "/"
    return {
        "galleryEndpoint": base + "/gallery/",
        "graphEndpoint": base + "/graph/",
        "portalEndpoint": base + "/portal/",
        "authentication": {"loginEndpoint": root, "audiences": [root]},
    }


def metadata_endpoints():
    version = request.args.get("api-version")
    base = base_url()
    if version == "2022-09-01" or (version and version >= "2020-06-01"):
        return json_response(cloud_object(base))
    if version == "2019-05-01" or (version and version >= "2018-01-01"):
        return json_response([cloud_object(base)])
    return json_response(legacy_object(base))
