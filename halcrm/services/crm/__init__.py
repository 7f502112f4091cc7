"""Companies, contacts, stages, projects and their rules."""
