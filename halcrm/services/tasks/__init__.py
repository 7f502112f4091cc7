"""Next steps: tasks on companies, the agenda (API.md, "Next steps")."""
