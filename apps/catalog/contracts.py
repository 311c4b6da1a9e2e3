"""Public plain-data contracts of the catalog app (standard library only)."""
