"""The kernel's shared code. A domain app imports only authentication,
breaker, cache, db, errors, http_cache, jwt_keys, metrics, pagination, permissions,
proxies, remote, schema and throttling from here (an import contract in pyproject.toml)."""
