"""Writes of the orders app (private), one transaction on the orders database each."""
