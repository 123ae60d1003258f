"""Admin: runs are read-only; populations go through import-export safely."""

import pytest
import tablib
from django.urls import reverse

from diagnostics.importers.resources import PopulationCountResource
from diagnostics.models import PopulationCount
from tests.basins.factories import BasinFactory
from tests.diagnostics.factories import FinishedImportRunFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def dataset(*rows, headers=("codgeo", "libgeo", "an", "pop")):
    return tablib.Dataset(*rows, headers=headers)


@pytest.mark.django_db
def test_population_resource_imports_and_skips_unchanged():
    alencon = BasinFactory(code="0051", name="Alençon")
    data = dataset(("0051", "Alençon", "2020", "124751"))
    resource = PopulationCountResource()

    first = resource.import_data(
        data, dry_run=False, rollback_on_validation_errors=True
    )
    second = resource.import_data(
        data, dry_run=False, rollback_on_validation_errors=True
    )

    assert not first.has_errors()
    assert not first.has_validation_errors()
    assert PopulationCount.objects.get(basin=alencon, year=2020).population == 124751
    assert second.totals["new"] == 0
    assert second.totals["update"] == 0


@pytest.mark.django_db
def test_population_resource_writes_nothing_when_one_row_is_invalid():
    BasinFactory(code="0051", name="Alençon")
    data = dataset(
        ("0051", "Alençon", "2019", "124000"),
        ("9999", "Nulle part", "2020", "10"),
    )

    result = PopulationCountResource().import_data(
        data, dry_run=False, rollback_on_validation_errors=True
    )

    assert result.has_errors()
    errors = [str(error.error) for row in result.rows for error in row.errors]
    assert errors == ["Zone d'emploi inconnue « 9999 » : importez d'abord les zones."]
    assert not PopulationCount.objects.exists()


@pytest.mark.django_db
def test_population_resource_names_missing_columns():
    data = dataset(("0051", "2020"), headers=("codgeo", "an"))

    result = PopulationCountResource().import_data(data, dry_run=True)

    assert result.has_errors()
    assert "Colonnes manquantes dans le fichier : libgeo, pop." in str(
        result.base_errors[0].error
    )


@pytest.mark.django_db
def test_admin_population_import_page_opens(client, admin_user):
    client.force_login(admin_user)

    response = client.get(reverse("admin:diagnostics_populationcount_import"))

    assert response.status_code == 200


@pytest.mark.django_db
def test_admin_import_runs_are_read_only(client, admin_user):
    run = FinishedImportRunFactory()
    client.force_login(admin_user)

    listing = client.get(reverse("admin:diagnostics_importrun_changelist"))
    change = client.post(
        reverse("admin:diagnostics_importrun_change", args=[run.pk]),
        {"file_name": "autre.csv"},
    )

    assert listing.status_code == 200
    assert run.file_name in listing.content.decode()
    assert change.status_code == 403
    run.refresh_from_db()
    assert run.file_name != "autre.csv"
