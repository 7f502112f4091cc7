"""The Textual board: thin actions over the services, live updates from the bus."""
