"""Shared by the import tests: run the command, count what is stored."""

import io

from django.core.management import call_command

from basins.models import Basin, Commune, Department, Region

ZONES_FILE = "insee_ze2020_zones_geo2023.csv"
COMMUNES_FILE = "insee_ze2020_communes_geo2023.csv"
POPULATIONS_FILE = "etalab_cog2026_communes.csv"


def import_command(*args, zones, communes):
    """Run import_zones on two files; return what it printed."""
    out = io.StringIO()
    call_command(
        "import_zones", "--zones", zones, "--communes", communes, *args, stdout=out
    )
    return out.getvalue()


def table_sizes():
    """Rows in every table the import writes."""
    return (
        Region.objects.count(),
        Department.objects.count(),
        Basin.objects.count(),
        Commune.objects.count(),
        Basin.departments.through.objects.count(),
        Basin.regions.through.objects.count(),
    )
