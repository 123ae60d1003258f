import json
from pathlib import Path

from django.db import migrations

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "naf_rev2.json"


def load_naf(apps, schema_editor):
    """Load the 21 sections, 88 divisions and 732 sub-classes of NAF rév. 2."""
    models = {
        "diagnostics.nafsection": apps.get_model("diagnostics", "NafSection"),
        "diagnostics.nafdivision": apps.get_model("diagnostics", "NafDivision"),
        "diagnostics.nafsubclass": apps.get_model("diagnostics", "NafSubclass"),
    }
    rows = json.loads(FIXTURE.read_text(encoding="utf-8"))
    for label, model in models.items():
        objects = []
        for row in rows:
            if row["model"] != label:
                continue
            fields = dict(row["fields"])
            for key in ("section", "division"):
                if key in fields:
                    fields[f"{key}_id"] = fields.pop(key)
            objects.append(model(pk=row["pk"], **fields))
        model.objects.bulk_create(objects, ignore_conflicts=True)


def unload_naf(apps, schema_editor):
    for name in ("NafSubclass", "NafDivision", "NafSection"):
        apps.get_model("diagnostics", name).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("diagnostics", "0001_naf")]

    operations = [migrations.RunPython(load_naf, unload_naf)]
