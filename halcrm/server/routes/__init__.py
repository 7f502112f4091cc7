"""One controller per resource; each handler is a call into the services."""
