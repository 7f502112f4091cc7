"""The CRM rules over the database: one transaction per call, events published after commit."""
