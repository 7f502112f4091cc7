"""What can be exported, and the media type of each format: apart from the exporter, so the
server's export route is registered without loading it (with the import limits it uses)."""

from __future__ import annotations

# The keys of ``exporter.COLUMNS``, in that order (tests/services/transfer keep them equal).
KINDS = ("stages", "companies", "contacts", "activity", "tasks")
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
