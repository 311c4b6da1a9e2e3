"""Public plain-data contracts of the inventory app (standard library only)."""
