"""Service-level tests against real databases."""
