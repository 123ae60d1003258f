"""SIRET, SIREN and NAF division in byte order ("C" collation) on PostgreSQL.

They are digits: byte order is their order, and comparing bytes is several
times cheaper than the database locale's collation. It is what the SIRENE
import spends most on: building and walking the primary key and the
indexes over millions of rows. The model cannot say so itself (SQLite has
no "C" collation), hence SQL here; rewrites the table once.
"""

from django.db import migrations

COLUMNS = (("siret", 14), ("siren", 9), ("naf_division", 2))


def byte_order(apps, schema_editor, collation='"C"'):
    if schema_editor.connection.vendor != "postgresql":
        return
    changes = ", ".join(
        f"ALTER COLUMN {name} TYPE varchar({size}) COLLATE {collation}"
        for name, size in COLUMNS
    )
    schema_editor.execute(f"ALTER TABLE diagnostics_establishment {changes}")


def default_order(apps, schema_editor):
    byte_order(apps, schema_editor, collation='"default"')


class Migration(migrations.Migration):
    dependencies = [("diagnostics", "0007_establishment_remarks")]

    operations = [migrations.RunPython(byte_order, default_order)]
