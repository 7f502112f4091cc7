"""Modal dialogs, one per file, each returning a typed result."""
