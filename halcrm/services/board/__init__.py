"""The board's read models: cards, summary, focus lane, demo data."""
