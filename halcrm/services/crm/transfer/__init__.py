"""Data in and out: CSV import, streaming export, SQLite backups."""
