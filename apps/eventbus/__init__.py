"""The event bus. A domain app imports only api (publish, subscribe) and schema
(the base of its events) from here (an import contract in pyproject.toml)."""
