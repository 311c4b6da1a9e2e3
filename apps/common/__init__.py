"""The kernel's shared code. A domain app imports only db, errors, pagination,
permissions and throttling from here (an import contract in pyproject.toml)."""
