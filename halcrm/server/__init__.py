"""The HTTP server: a Litestar app whose handlers only call the services."""
