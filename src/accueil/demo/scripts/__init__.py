"""Script templates of the demo operator, one per kind of client (package data)."""
