"""Migration operations whose database side runs on PostgreSQL only (the
search indexes and pg_trgm); elsewhere they change only the migration state."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class PostgresOnly:
    """Runs the wrapped operation's database side on PostgreSQL only."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class AddIndexOnPostgres(PostgresOnly, migrations.AddIndex):
    pass


class TrigramExtensionOnPostgres(PostgresOnly, TrigramExtension):
    """Django guards only the forwards step of an extension by the vendor."""


class RemoveIndexOnPostgres(PostgresOnly, migrations.RemoveIndex):
    pass
