"""Benchmarks and the process kit the fault-injection tests share.

Production code never imports this package (import-linter contract)."""
