"""Offline emulator of Azure Resource Manager + Entra ID for Azure Backup (IaaS VM)."""

__version__ = "0.1.0"
