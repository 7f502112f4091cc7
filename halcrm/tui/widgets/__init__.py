"""Reusable board widgets (line-API columns, the activity feed)."""
