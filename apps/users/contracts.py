"""Public plain-data contracts of the users app (standard library only)."""
