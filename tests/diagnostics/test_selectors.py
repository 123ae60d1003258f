"""Database aggregation of the diagnostic, for all basins at once."""

import datetime

import pytest
from django.core.cache import cache

from diagnostics import selectors
from diagnostics.models import ImportKind, ImportStatus
from tests.diagnostics.compute_factories import (
    EstablishmentFactory,
    HiringProjectsFactory,
    ImportRunFactory,
    PopulationCountFactory,
    UnemploymentRateFactory,
)


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def basins(territory):
    grenoble, oyonnax = territory["grenoble"], territory["oyonnax"]
    # Grenoble: manufacturing; Oyonnax: retail. Plus one closed, large site.
    EstablishmentFactory(basin=grenoble, headcount_band="32")  # 374.5
    EstablishmentFactory(basin=grenoble, headcount_band="12")  # 34.5
    EstablishmentFactory(basin=grenoble, headcount_band="NN")  # 0
    EstablishmentFactory(
        basin=grenoble,
        headcount_band="41",
        is_active=False,
        created_on=datetime.date(2020, 5, 1),
    )
    EstablishmentFactory(
        basin=grenoble,
        headcount_band="02",
        naf_code="47.11D",
        naf_section="G",
        created_on=datetime.date(2020, 9, 1),
    )
    for _ in range(3):
        EstablishmentFactory(
            basin=oyonnax, headcount_band="11", naf_code="47.11D", naf_section="G"
        )
    # Unknown commune: counted in France, in no basin.
    EstablishmentFactory(basin=None, headcount_band="03")
    return grenoble, oyonnax


def test_aggregates_count_active_establishments_and_band_middles(basins):
    grenoble, oyonnax = basins
    per_basin, national = selectors.sirene_aggregates(last_year=2025)
    # (establishments, employees, employees of the largest establishment)
    assert per_basin[grenoble.pk]["sections"] == {
        "C": (3, 409.0, 374.5),
        "G": (1, 4.0, 4.0),
    }
    assert per_basin[grenoble.pk]["divisions"] == {
        "25": (3, 409.0, 374.5),
        "47": (1, 4.0, 4.0),
    }
    assert per_basin[grenoble.pk]["subclasses"]["25.62B"] == (3, 409.0, 374.5)
    assert per_basin[oyonnax.pk]["sections"] == {"G": (3, 43.5, 14.5)}
    assert national["sections"] == {"C": (4, 416.5, 374.5), "G": (4, 47.5, 14.5)}


def test_a_sector_of_non_employers_has_no_largest_establishment(territory):
    EstablishmentFactory(basin=territory["grenoble"], headcount_band="NN")
    EstablishmentFactory(basin=territory["grenoble"], headcount_band="")
    per_basin, _national = selectors.sirene_aggregates(last_year=2025)
    assert per_basin[territory["grenoble"].pk]["sections"] == {"C": (2, 0.0, 0.0)}


def test_aggregates_count_the_establishments_each_import_wrote(basins):
    grenoble, _oyonnax = basins
    first, second = ImportRunFactory(), ImportRunFactory()
    EstablishmentFactory(basin=grenoble, import_run=first)
    EstablishmentFactory(basin=grenoble, import_run=first, headcount_band="32")
    EstablishmentFactory(basin=grenoble, import_run=second)
    EstablishmentFactory(basin=grenoble, import_run=second, is_active=False)
    per_basin, _national = selectors.sirene_aggregates(last_year=2025)
    # The fixture's four active establishments have no import.
    assert per_basin[grenoble.pk]["runs"] == {None: 4, first.pk: 2, second.pk: 1}
    assert per_basin[grenoble.pk]["bands"]["32"] == (2, 749.0)


def test_aggregates_of_one_basin_match_the_all_basins_pass(basins):
    grenoble, _oyonnax = basins
    every, national = selectors.sirene_aggregates(last_year=2025)
    one, national_again = selectors.sirene_aggregates(
        basin_ids=[grenoble.pk], last_year=2025
    )
    assert set(one) == {grenoble.pk}
    assert one[grenoble.pk] == every[grenoble.pk]
    assert national_again == national


def test_band_counts_feed_the_size_structure(basins):
    grenoble, _oyonnax = basins
    per_basin, _national = selectors.sirene_aggregates(last_year=2025)
    assert per_basin[grenoble.pk]["bands"] == {
        "32": (1, 374.5),
        "12": (1, 34.5),
        "NN": (1, 0.0),
        "02": (1, 4.0),
    }


def test_largest_establishments_are_ranked_per_basin(basins, monkeypatch):
    grenoble, oyonnax = basins
    monkeypatch.setattr(selectors, "LARGEST", 2)
    per_basin, _national = selectors.sirene_aggregates(last_year=2025)
    largest = per_basin[grenoble.pk]["largest"]
    assert [row["headcount_band"] for row in largest] == ["32", "12"]
    assert all(row["basin_id"] == grenoble.pk for row in largest)
    assert len(per_basin[oyonnax.pk]["largest"]) == 2


def test_cohorts_count_closed_establishments_too(basins):
    grenoble, _oyonnax = basins
    per_basin, _national = selectors.sirene_aggregates(last_year=2024)
    assert per_basin[grenoble.pk]["cohorts"] == {2015: (3, 3), 2020: (2, 1)}
    # Ten years up to 2029: 2015 is out of the window.
    per_basin, _national = selectors.sirene_aggregates(last_year=2029)
    assert per_basin[grenoble.pk]["cohorts"] == {2020: (2, 1)}


def test_query_count_does_not_depend_on_the_number_of_basins(
    basins, django_assert_max_num_queries
):
    # Four aggregates, plus a savepoint, its release and SET work_mem.
    with django_assert_max_num_queries(7):
        selectors.sirene_aggregates(last_year=2025)


def test_latest_run_ignores_failures_and_dry_runs(db):
    good = ImportRunFactory(
        finished_at=datetime.datetime(2026, 1, 2, tzinfo=datetime.UTC)
    )
    ImportRunFactory(status=ImportStatus.FAILED)
    ImportRunFactory(dry_run=True)
    ImportRunFactory(kind=ImportKind.BMO)
    assert selectors.latest_run(kind=ImportKind.SIRENE) == good


def test_cached_aggregates_change_with_a_new_sirene_import(basins):
    grenoble, _oyonnax = basins
    ImportRunFactory()
    first, _national, _run, _year = selectors.cached_sirene(basin=grenoble)
    EstablishmentFactory(basin=grenoble, headcount_band="11")
    cached, _national, _run, _year = selectors.cached_sirene(basin=grenoble)
    assert cached == first  # same import, same cache entry
    ImportRunFactory()
    fresh, _national, _run, _year = selectors.cached_sirene(basin=grenoble)
    assert fresh["sections"]["C"] == (4, 423.5, 374.5)


def test_warm_cache_fills_every_basin(basins, django_assert_max_num_queries):
    grenoble, oyonnax = basins
    ImportRunFactory()
    assert selectors.warm_sirene_cache() == 4
    with django_assert_max_num_queries(1):  # the latest run only
        data, national, _run, _year = selectors.cached_sirene(basin=oyonnax)
    assert data["sections"] == {"G": (3, 43.5, 14.5)}
    assert national["sections"]["C"] == (4, 416.5, 374.5)


def test_diagnostic_names_its_sources(basins):
    grenoble, _oyonnax = basins
    sirene = ImportRunFactory(file_name="StockEtablissement_utf8.csv")
    EstablishmentFactory(basin=grenoble, import_run=sirene)
    unemployment_run = ImportRunFactory(
        kind=ImportKind.UNEMPLOYMENT, file_name="chomage.csv"
    )
    UnemploymentRateFactory(basin=grenoble, import_run=unemployment_run)
    diagnostic = selectors.basin_diagnostic(basin=grenoble)
    assert diagnostic.sirene_source.runs == [sirene]
    assert diagnostic.sirene_source.entries[0].rows == 1
    # The fixture's four establishments were loaded without an import.
    assert diagnostic.sirene_source.unknown_rows == 4
    assert diagnostic.sirene_source.rows == 5
    assert diagnostic.unemployment_source.runs == [unemployment_run]
    assert diagnostic.unemployment_source.rows == 1
    assert not diagnostic.population_source.imported
    assert not diagnostic.hiring_source.imported


def test_source_names_the_imports_that_wrote_the_rows_not_the_newest(territory):
    grenoble = territory["grenoble"]
    first = ImportRunFactory(vintage="stock Sirene au 1er janvier 2026")
    EstablishmentFactory.create_batch(3, basin=grenoble, import_run=first)
    second = ImportRunFactory()  # changed rows elsewhere only
    EstablishmentFactory(basin=territory["oyonnax"], import_run=second)
    ImportRunFactory(dry_run=True)
    ImportRunFactory(status=ImportStatus.FAILED)
    source = selectors.basin_diagnostic(basin=grenoble).sirene_source
    assert source.runs == [first]
    assert source.rows == 3
    assert source.newer == second
    text = source.text
    assert text.startswith(
        "INSEE, base Sirene des entreprises et de leurs établissements (stock des "
        f"établissements), stock Sirene au 1er janvier 2026 ; import n° {first.pk} du "
    )
    assert text.endswith(
        "3 établissements actifs du bassin "
        f"(l'import n° {second.pk} du {second.finished_at:%d/%m/%Y} n'a modifié "
        "aucune de ces lignes)"
    )


def test_a_basin_mixing_two_imports_names_both(territory):
    grenoble = territory["grenoble"]
    old, new = ImportRunFactory(), ImportRunFactory()
    EstablishmentFactory.create_batch(2, basin=grenoble, import_run=old)
    EstablishmentFactory(basin=grenoble, import_run=new)
    source = selectors.basin_diagnostic(basin=grenoble).sirene_source
    assert [(entry.run, entry.rows) for entry in source.entries] == [
        (old, 2),
        (new, 1),
    ]
    assert source.newer is None


def test_a_generated_stock_is_labelled_in_the_source_text(territory):
    run = ImportRunFactory(generated=True)
    EstablishmentFactory(basin=territory["grenoble"], import_run=run)
    source = selectors.basin_diagnostic(basin=territory["grenoble"]).sirene_source
    assert source.generated
    assert source.text.startswith(
        "Données de démonstration (générées) — générateur de démonstration du projet"
    )
    assert "INSEE" not in source.text


def test_diagnostic_indicators(basins):
    grenoble, _oyonnax = basins
    diagnostic = selectors.basin_diagnostic(basin=grenoble)
    assert diagnostic.establishments == 4
    assert diagnostic.employees == 413.0
    assert [s.code for s in diagnostic.sections] == ["C", "G"]
    assert diagnostic.sections[0].label == "Industrie manufacturière"
    assert diagnostic.divisions[0].label.startswith(
        "Fabrication de produits métalliques"
    )
    # Grenoble: 99 % in division 25, France: 416.5 / 464 -> LQ 1.1.
    assert diagnostic.sections[0].location_quotient == pytest.approx(
        (409 / 413) / (416.5 / 464)
    )
    assert diagnostic.dependence_5 == pytest.approx(1.0)
    assert diagnostic.employers == 3
    assert diagnostic.dependence_5_caution.startswith("le bassin compte 3 ")
    eti = diagnostic.size_structure[2]
    assert (eti.size, eti.establishments) == ("ETI", 1)
    assert eti.caution == "repose sur 1 établissement (minimum 3)"
    assert diagnostic.national_establishments == 8
    assert diagnostic.national_employees == 464.0


def test_diagnostic_of_a_basin_without_data(territory):
    diagnostic = selectors.basin_diagnostic(basin=territory["chateauroux"])
    assert not diagnostic.has_establishments
    assert diagnostic.sections == []
    assert diagnostic.dependence_5 is None
    assert diagnostic.unemployment == []
    assert diagnostic.hiring_year is None


def test_unemployment_series_with_the_mean_of_all_basins(basins):
    grenoble, oyonnax = basins
    for basin, rate in ((grenoble, "6.0"), (oyonnax, "8.0")):
        UnemploymentRateFactory(basin=basin, rate=rate)
        UnemploymentRateFactory(
            basin=basin, quarter="2023-T2", period_start=datetime.date(2023, 4, 1)
        )
    series = selectors.unemployment_series(basin=grenoble)
    assert [p["quarter"] for p in series["points"]] == ["2023-T2", "2023-T3"]
    assert series["points"][1] == {"quarter": "2023-T3", "rate": 6.0, "average": 7.0}


def test_population_series_is_ordered_by_year(basins):
    grenoble, _oyonnax = basins
    PopulationCountFactory(basin=grenoble, year=2020, population=10)
    PopulationCountFactory(basin=grenoble, year=1968, population=5)
    points = selectors.population_series(basin=grenoble)["points"]
    assert points == [{"year": 1968, "population": 5}, {"year": 2020, "population": 10}]


def test_hiring_by_family_uses_the_latest_year(basins):
    grenoble, _oyonnax = basins
    run = ImportRunFactory(kind=ImportKind.BMO)
    HiringProjectsFactory(basin=grenoble, year=2023, projects=1000)
    HiringProjectsFactory(basin=grenoble, import_run=run)
    HiringProjectsFactory(basin=grenoble, import_run=run, projects=300, difficult=210)
    HiringProjectsFactory(
        basin=grenoble,
        import_run=run,
        family_code="B",
        family_label="Bâtiment",
        projects=None,
        difficult=None,
        seasonal=None,
        confidential=True,
    )
    hiring = selectors.hiring_by_family(basin=grenoble)
    assert hiring["year"] == 2024
    families = {f["code"]: f for f in hiring["families"]}
    assert families["A"]["projects"] == 400
    assert families["A"]["difficulty_rate"] == pytest.approx(250 / 400)
    assert families["B"]["confidential"]
    assert families["B"]["projects"] is None
    assert hiring["run_rows"] == {run.pk: 3}
