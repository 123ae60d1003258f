"""The INSEE zones d'emploi import, with the official 2023 files (imported once)."""

import csv

import pytest
from django.conf import settings
from django.db import transaction

from basins import services
from basins.models import Basin, Commune, Department, Region
from tests.basins.zones_helpers import (
    COMMUNES_FILE,
    POPULATIONS_FILE,
    ZONES_FILE,
    import_command,
    table_sizes,
)


@pytest.fixture(scope="module")
def imported(django_db_setup, django_db_blocker):
    """The 2023 files imported once for the module, removed afterwards.

    Each test still runs in its own transaction, rolled back at its end.
    """
    data_dir = settings.DATA_DIR
    if not data_dir.exists():
        pytest.fail(f"Official data files not found in {data_dir}")
    with django_db_blocker.unblock():
        output = import_command(
            "--wet-run",
            "--populations",
            data_dir / POPULATIONS_FILE,
            zones=data_dir / ZONES_FILE,
            communes=data_dir / COMMUNES_FILE,
        )
        yield output
        with transaction.atomic():
            Commune.objects.all().delete()
            Basin.objects.all().delete()
            Department.objects.all().delete()
            Region.objects.all().delete()


def test_official_files_give_306_basins_and_34945_communes(db, imported):
    assert Basin.objects.count() == 306
    assert Commune.objects.count() == 34_945


def test_first_import_reports_everything_created(db, imported):
    assert "basins: 306 créé(s), 0 modifié(s), 0 inchangé(s)" in imported
    assert "communes: 34945 créé(s), 0 modifié(s), 0 inchangé(s)" in imported
    assert "departments: 101 créé(s)" in imported
    assert "regions: 18 créé(s)" in imported


def test_basin_names_and_counts_follow_the_zones_file(db, imported, data_dir):
    with open(data_dir / ZONES_FILE, encoding="utf-8-sig") as file:
        zones = {row["ZE2020"]: row for row in csv.DictReader(file)}
    basins = Basin.objects.with_stats().in_bulk(field_name="code")
    assert set(basins) == set(zones)
    for code, row in zones.items():
        assert basins[code].name == row["LIBZE2020"]
        assert basins[code].communes_count == int(row["NB_COM"]), code


def test_basin_spanning_three_departments_is_linked_to_each(db, imported):
    figeac = Basin.objects.get(code="7611")
    assert figeac.name == "Figeac-Villefranche"
    assert sorted(figeac.departments.values_list("code", flat=True)) == [
        "12",
        "46",
        "82",
    ]
    assert list(figeac.regions.values_list("code", flat=True)) == ["76"]


def test_basin_spanning_two_regions_is_linked_to_both(db, imported):
    alencon = Basin.objects.get(code="0051")
    assert sorted(alencon.regions.values_list("code", flat=True)) == ["28", "52"]
    assert sorted(alencon.departments.values_list("code", flat=True)) == [
        "53",
        "61",
        "72",
    ]


def test_departments_carry_their_cog_name_and_region(db, imported):
    isere = Department.objects.select_related("region").get(code="38")
    assert isere.name == "Isère"
    assert isere.region.name == "Auvergne-Rhône-Alpes"
    assert Department.objects.get(code="2A").region_id == "94"


def test_communes_get_their_legal_population(db, imported):
    grenoble = Commune.objects.get(code="38185")
    assert grenoble.name == "Grenoble"
    assert grenoble.basin.code == "8409"
    assert grenoble.population > 150_000


def test_rerun_changes_nothing(db, imported, data_dir):
    before = table_sizes()
    output = import_command(
        "--wet-run",
        "--populations",
        data_dir / POPULATIONS_FILE,
        zones=data_dir / ZONES_FILE,
        communes=data_dir / COMMUNES_FILE,
    )
    assert "basins: 0 créé(s), 0 modifié(s), 306 inchangé(s)" in output
    assert "communes: 0 créé(s), 0 modifié(s), 34945 inchangé(s)" in output
    assert "departments: 0 créé(s), 0 modifié(s), 101 inchangé(s)" in output
    assert "regions: 0 créé(s), 0 modifié(s), 18 inchangé(s)" in output
    assert table_sizes() == before


def test_rerun_without_population_file_keeps_the_populations(db, imported, data_dir):
    import_command(
        "--wet-run", zones=data_dir / ZONES_FILE, communes=data_dir / COMMUNES_FILE
    )
    assert Commune.objects.get(code="38185").population > 150_000


def test_rerun_updates_a_renamed_basin_and_restores_links(db, imported, data_dir):
    grenoble = Basin.objects.get(code="8409")
    Basin.objects.filter(pk=grenoble.pk).update(name="Ancien nom")
    grenoble.departments.add(Department.objects.get(code="01"))
    output = import_command(
        "--wet-run", zones=data_dir / ZONES_FILE, communes=data_dir / COMMUNES_FILE
    )
    assert "basins: 0 créé(s), 1 modifié(s), 305 inchangé(s)" in output
    grenoble.refresh_from_db()
    assert grenoble.name == "Grenoble"
    assert list(grenoble.departments.values_list("code", flat=True)) == ["38"]


# --- Arrondissements of Paris, Lyon and Marseille ---------------------------


def derived_arrondissements(data_dir):
    with open(
        data_dir / "derived_commune_cog2026_to_ze2020.csv", encoding="utf-8-sig"
    ) as file:
        return {
            row["code_commune"]: row["ZE2020"]
            for row in csv.DictReader(file)
            if row["type"] == "arrondissement-municipal"
        }


def test_the_45_arrondissements_are_all_mapped(data_dir):
    assert set(services.ARRONDISSEMENT_TO_COMMUNE) == set(
        derived_arrondissements(data_dir)
    )
    assert len(services.ARRONDISSEMENT_TO_COMMUNE) == 45


def test_arrondissements_map_to_their_commune_basin(db, imported, data_dir):
    mapping = services.commune_to_basin_map()
    codes = dict(Basin.objects.values_list("pk", "code"))
    expected = derived_arrondissements(data_dir)
    assert {code: codes[mapping[code]] for code in expected} == expected
    assert codes[mapping["75056"]] == "1109"
    assert codes[mapping["69123"]] == "8421"
    assert codes[mapping["13055"]] == "9312"
