"""Webhooks: signed deliveries of the project's events to other systems (API.md, "Webhooks")."""
