"""Pure formulas of the diagnostic, tested without a database."""

import pytest

from diagnostics import metrics
from diagnostics.models import HeadcountBand


def test_every_sirene_band_has_a_midpoint_and_a_size_class():
    for band in HeadcountBand.values:
        assert band in metrics.BAND_MIDPOINTS
        assert band in metrics.BAND_SIZE_CLASS


@pytest.mark.parametrize(
    ("band", "employees"),
    [
        ("NN", 0),
        ("00", 0),
        ("", 0),
        (None, 0),
        ("01", 1.5),
        ("02", 4),
        ("03", 7.5),
        ("11", 14.5),
        ("12", 34.5),
        ("21", 74.5),
        ("22", 149.5),
        ("31", 224.5),
        ("32", 374.5),
        ("41", 749.5),
        ("42", 1499.5),
        ("51", 3499.5),
        ("52", 7499.5),
        ("53", 10000),
        ("XX", 0),
    ],
)
def test_estimated_employees_is_the_middle_of_the_band(band, employees):
    assert metrics.estimated_employees(band) == employees


@pytest.mark.parametrize(
    ("band", "size"),
    [
        ("NN", "TPE"),
        ("03", "TPE"),
        ("11", "PME"),
        ("31", "PME"),
        ("32", "ETI"),
        ("51", "ETI"),
        ("52", "GE"),
        ("53", "GE"),
    ],
)
def test_size_class_follows_the_band_thresholds(band, size):
    assert metrics.size_class(band) == size


def test_location_quotient_compares_local_and_national_shares():
    # 20 % locally, 5 % nationally.
    lq = metrics.location_quotient(
        local=200, local_total=1000, national=5000, national_total=100_000
    )
    assert lq == pytest.approx(4.0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"local": 10, "local_total": 0, "national": 5, "national_total": 100},
        {"local": 10, "local_total": 100, "national": 0, "national_total": 100},
        {"local": 10, "local_total": 100, "national": 5, "national_total": 0},
    ],
)
def test_location_quotient_is_none_when_a_share_is_undefined(kwargs):
    assert metrics.location_quotient(**kwargs) is None


def test_sector_indicators_flag_large_and_overrepresented_sectors():
    local = {"C": (50, 600.0), "G": (300, 300.0), "B": (1, 100.0)}
    national = {"C": (1000, 10_000.0), "G": (10_000, 60_000.0), "B": (5, 30_000.0)}
    indicators = metrics.sector_indicators(
        local=local, national=national, labels={"C": "Industrie"}
    )
    assert [i.code for i in indicators] == ["C", "G", "B"]
    manufacturing = indicators[0]
    assert manufacturing.label == "Industrie"
    assert manufacturing.employees_share == pytest.approx(0.6)
    assert manufacturing.location_quotient == pytest.approx(0.6 / 0.1)
    assert manufacturing.specialised
    assert not indicators[1].specialised  # LQ 0.5


def test_small_sectors_are_not_specialisations_whatever_their_quotient():
    local = {"B": (1, 10.0), "G": (100, 990.0)}
    national = {"B": (10, 10.0), "G": (10_000, 99_990.0)}
    rare = metrics.sector_indicators(local=local, national=national)[1]
    assert rare.code == "B"
    assert rare.location_quotient > 50
    assert not rare.specialised


def test_top_specialisations_are_ordered_by_quotient():
    local = {"C": (5, 300.0), "H": (5, 400.0), "G": (5, 300.0)}
    national = {"C": (5, 1000.0), "H": (5, 2000.0), "G": (5, 97_000.0)}
    indicators = metrics.sector_indicators(local=local, national=national)
    top = metrics.top_specialisations(indicators)
    assert [i.code for i in top] == ["C", "H"]
    assert metrics.top_specialisations(indicators, limit=1)[0].code == "C"


def test_sector_indicators_of_an_empty_basin():
    assert metrics.sector_indicators(local={}, national={"C": (1, 10.0)}) == []


def test_size_structure_groups_bands_into_four_classes():
    structure = metrics.size_structure(
        {"NN": (100, 0.0), "01": (50, 75.0), "12": (4, 138.0), "32": (1, 374.5)}
    )
    assert [row[0] for row in structure] == ["TPE", "PME", "ETI", "GE"]
    assert structure[0][:3] == ("TPE", 150, 75.0)
    assert structure[1][:3] == ("PME", 4, 138.0)
    assert structure[2][3] == pytest.approx(374.5 / 587.5)
    assert structure[3] == ("GE", 0, 0.0, 0.0)


def test_dependence_is_the_share_of_the_largest_establishments():
    largest = [10.0, 749.5, 100.0, 50.0, 40.0, 30.0]
    assert metrics.dependence(largest, total=2000, top=1) == pytest.approx(0.37475)
    assert metrics.dependence(largest, total=2000, top=5) == pytest.approx(
        (749.5 + 100 + 50 + 40 + 30) / 2000
    )
    assert metrics.dependence([], total=0, top=5) is None


def test_creations_and_survival_cover_every_recent_year():
    cohorts = {2025: (10, 9), 2023: (20, 15), 2010: (5, 1)}
    result = metrics.creations_and_survival(cohorts, last_year=2025, years=3)
    assert [c.year for c in result] == [2023, 2024, 2025]
    assert result[0].survival_share == pytest.approx(0.75)
    assert result[1].created == 0
    assert result[1].survival_share is None
    assert result[2].still_active == 9


def test_difficulty_rate():
    assert metrics.difficulty_rate(projects=200, difficult=50) == 0.25
    assert metrics.difficulty_rate(projects=0, difficult=0) is None
    assert metrics.difficulty_rate(projects=None, difficult=None) is None
