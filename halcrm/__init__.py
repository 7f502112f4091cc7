"""halcrm: a keyboard-driven CRM pipeline board for the terminal with an embedded HTTP server."""

__version__ = "0.1.0"
