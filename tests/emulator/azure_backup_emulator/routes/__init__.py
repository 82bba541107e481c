"""HTTP routes: cloud metadata, the Entra-ID-like authority, ARM/Backup, and the control API."""
