"""Drop the varchar_pattern_ops index Django adds to the SIRET primary key.

Nothing searches SIRETs with LIKE; the index only slows the SIRENE import
(one more B-tree to maintain per row). PostgreSQL only; Django's schema
editor drops it with IF EXISTS, so later field changes still work.
"""

from django.db import migrations

INDEX = "diagnostics_establishment_siret_737021c4_like"


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON diagnostics_establishment "
            "(siret varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [("diagnostics", "0004_establishment_indexes")]

    operations = [migrations.RunPython(drop, create, elidable=False)]
