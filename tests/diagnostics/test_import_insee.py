"""INSEE indicators, imported from the real files of settings.DATA_DIR."""

import datetime
from decimal import Decimal

import pytest

from diagnostics.importers.insee import import_population, import_unemployment
from diagnostics.models import (
    ImportKind,
    ImportRun,
    ImportStatus,
    PopulationCount,
    UnemploymentRate,
)
from tests.basins.factories import BasinFactory

UNEMPLOYMENT = "insee_chomage_localise_ze2020_2003T1-2023T3.csv"
POPULATION = "anct_insee_population_historique_1876-2020_ze2020.csv"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def zones(territory):
    """Grenoble (8409) from the shared territory, plus Alençon and Basse-Terre."""
    return {
        "grenoble": territory["grenoble"],
        "alencon": BasinFactory(code="0051", name="Alençon"),
        "basse_terre": BasinFactory(code="0101", name="Basse-Terre"),
    }


def run(importer, kind, path, **kwargs):
    import_run = ImportRun.objects.create(kind=kind, file_name=path.name)
    return importer(path=path, run=import_run, **kwargs)


@pytest.mark.django_db
def test_unemployment_rates_of_named_zones(zones, data_dir):
    result = run(import_unemployment, ImportKind.UNEMPLOYMENT, data_dir / UNEMPLOYMENT)

    assert result.status == ImportStatus.SUCCEEDED, result.error_message
    alencon = UnemploymentRate.objects.get(basin=zones["alencon"], quarter="2003-T1")
    assert alencon.rate == Decimal("7.0")
    assert alencon.period_start == datetime.date(2003, 1, 1)
    grenoble = UnemploymentRate.objects.get(basin=zones["grenoble"], quarter="2023-T3")
    assert grenoble.rate == Decimal("6.1")
    assert grenoble.period_start == datetime.date(2023, 7, 1)
    # 2003-T1 to 2023-T3: 83 quarters for each of the two complete zones.
    assert UnemploymentRate.objects.filter(basin=zones["alencon"]).count() == 83


@pytest.mark.django_db
def test_unemployment_missing_cells_are_skipped_not_zero(zones, data_dir):
    result = run(import_unemployment, ImportKind.UNEMPLOYMENT, data_dir / UNEMPLOYMENT)

    assert not UnemploymentRate.objects.filter(
        basin=zones["basse_terre"], quarter="2003-T1"
    ).exists()
    assert result.report["warnings"]["valeur_absente"] > 0
    assert not UnemploymentRate.objects.filter(rate=0).exists()


@pytest.mark.django_db
def test_unemployment_unknown_zones_are_rejected_and_listed(zones, data_dir):
    result = run(import_unemployment, ImportKind.UNEMPLOYMENT, data_dir / UNEMPLOYMENT)

    # 302 zones in the file; 5 in the basins table (Grenoble, Oyonnax,
    # Châteauroux, Alençon, Basse-Terre).
    assert result.rows_read == 302
    assert result.rejected == 297
    assert result.report["rejects"] == {"zone_inconnue": 297}
    with result.rejects_file.open("r") as file:
        header, first = file.readline(), file.readline()
    assert header.startswith("ligne,motif,ZE2020")
    assert ",zone_inconnue," in first


@pytest.mark.django_db
def test_unemployment_reimport_changes_nothing(zones, data_dir):
    first = run(import_unemployment, ImportKind.UNEMPLOYMENT, data_dir / UNEMPLOYMENT)

    second = run(import_unemployment, ImportKind.UNEMPLOYMENT, data_dir / UNEMPLOYMENT)

    assert (second.inserted, second.updated) == (0, 0)
    assert second.unchanged == first.inserted


@pytest.mark.django_db
def test_unemployment_changed_rate_is_updated(zones, tmp_path):
    path = tmp_path / "chomage.csv"
    path.write_text("ZE2020,LIBZE2020,2023-T2,2023-T3\n0051,Alençon,6.4,6.5\n")
    run(import_unemployment, ImportKind.UNEMPLOYMENT, path)
    path.write_text("ZE2020,LIBZE2020,2023-T2,2023-T3\n0051,Alençon,6.4,6.6\n")

    result = run(import_unemployment, ImportKind.UNEMPLOYMENT, path)

    assert (result.inserted, result.updated, result.unchanged) == (0, 1, 1)
    assert UnemploymentRate.objects.get(quarter="2023-T3").rate == Decimal("6.6")


@pytest.mark.django_db
def test_unemployment_text_in_a_rate_refuses_the_whole_file(zones, tmp_path):
    path = tmp_path / "chomage.csv"
    path.write_text("ZE2020,LIBZE2020,2023-T2,2023-T3\n0051,Alençon,6.4,n.d.\n")

    result = run(import_unemployment, ImportKind.UNEMPLOYMENT, path)

    assert result.status == ImportStatus.FAILED
    assert "Ligne 2" in result.error_message
    assert "2023-T3" in result.error_message
    assert not UnemploymentRate.objects.exists()


@pytest.mark.django_db
def test_population_of_named_zones_and_years(zones, data_dir):
    result = run(import_population, ImportKind.POPULATION, data_dir / POPULATION)

    assert result.status == ImportStatus.SUCCEEDED, result.error_message
    population = dict(
        PopulationCount.objects.filter(basin=zones["alencon"]).values_list(
            "year", "population"
        )
    )
    assert population[1876] == 160052
    assert population[1968] == 121148
    assert population[2020] == 124751
    assert (
        PopulationCount.objects.get(basin=zones["grenoble"], year=2020).population
        == 612882
    )


@pytest.mark.django_db
def test_population_reimport_changes_nothing(zones, data_dir):
    first = run(import_population, ImportKind.POPULATION, data_dir / POPULATION)

    second = run(import_population, ImportKind.POPULATION, data_dir / POPULATION)

    assert first.inserted > 0
    assert (second.inserted, second.updated, second.unchanged) == (
        0,
        0,
        first.inserted,
    )
    assert second.report["rejects"]["zone_inconnue"] == first.rejected


@pytest.mark.django_db
def test_population_dry_run_writes_nothing(zones, data_dir):
    result = run(
        import_population, ImportKind.POPULATION, data_dir / POPULATION, dry_run=True
    )

    assert result.status == ImportStatus.SUCCEEDED
    assert result.inserted > 0
    assert not PopulationCount.objects.exists()
