"""Public plain-data contracts of the orders app (standard library only)."""
