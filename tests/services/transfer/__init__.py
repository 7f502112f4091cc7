"""Data in and out: import, export, backup and restore."""
