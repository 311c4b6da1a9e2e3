"""The kernel's shared code. A domain app imports only breaker, cache, db,
errors, pagination, permissions, schema and throttling from here (an import
contract in pyproject.toml)."""
