"""The board's screens (board, company, help)."""
