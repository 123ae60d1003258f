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
    local = {"C": (50, 600.0, 74.5), "G": (300, 300.0), "B": (1, 100.0)}
    national = {"C": (1000, 10_000.0), "G": (10_000, 60_000.0), "B": (5, 30_000.0)}
    indicators = metrics.sector_indicators(
        local=local, national=national, labels={"C": "Industrie"}
    )
    assert [i.code for i in indicators] == ["C", "G", "B"]
    manufacturing = indicators[0]
    assert manufacturing.label == "Industrie"
    assert manufacturing.employees_share == pytest.approx(0.6)
    assert manufacturing.location_quotient == pytest.approx(0.6 / 0.1)
    # (600 + 200 x 0.1) / (1000 + 200) / 0.1
    assert manufacturing.adjusted_quotient == pytest.approx(620 / 1200 / 0.1)
    assert manufacturing.robust
    assert manufacturing.specialised
    assert not indicators[1].specialised  # LQ 0.5
    assert indicators[2].caution == "repose sur 1 établissement (minimum 3)"


def test_small_sectors_are_not_specialisations_whatever_their_quotient():
    local = {"B": (1, 10.0), "G": (100, 990.0)}
    national = {"B": (10, 10.0), "G": (10_000, 99_990.0)}
    rare = metrics.sector_indicators(local=local, national=national)[1]
    assert rare.code == "B"
    assert rare.location_quotient > 50
    assert not rare.specialised


def test_top_specialisations_are_ordered_by_adjusted_quotient():
    local = {"C": (5, 300.0), "H": (5, 400.0), "G": (5, 300.0)}
    national = {"C": (5, 1000.0), "H": (5, 2000.0), "G": (5, 97_000.0)}
    indicators = metrics.sector_indicators(local=local, national=national)
    top = metrics.top_specialisations(indicators)
    assert [i.code for i in top] == ["C", "H"]
    assert metrics.top_specialisations(indicators, limit=1)[0].code == "C"


def test_a_small_sector_ranks_below_a_larger_one_with_a_higher_raw_quotient():
    # A: 100 of 400 jobs (LQ 25, adjusted 17); B: 2,000 of 10,000 (LQ 20,
    # adjusted 19.6).
    national = {"A": (100, 100.0), "B": (100, 100.0), "X": (1000, 9800.0)}
    small = metrics.sector_indicators(
        local={"A": (6, 100.0), "X": (20, 300.0)}, national=national
    )[1]
    large = metrics.sector_indicators(
        local={"B": (80, 2000.0), "X": (500, 8000.0)}, national=national
    )[1]
    assert (small.code, large.code) == ("A", "B")
    assert small.location_quotient > large.location_quotient
    assert metrics.top_specialisations([small, large])[0].code == "B"


@pytest.mark.parametrize(
    ("counts", "reason"),
    [
        ((2, 500.0, 250.0), "repose sur 2 établissements (minimum 3)"),
        ((5, 19.0, 7.5), "moins de 20 salariés estimés"),
        (
            (4, 7560.0, 7499.5),
            "un seul établissement emploie 99\u202f% des salariés estimés "
            "(maximum 85\u202f%)",
        ),
        ((3, 120.0, 101.0), ""),  # 84 %: under the limit
    ],
)
def test_the_reliability_rule_gives_its_reason(counts, reason):
    count, employees, largest = counts
    assert (
        metrics.caution(establishments=count, employees=employees, largest=largest)
        == reason
    )


def test_one_big_holding_is_never_a_specialisation():
    """Saclay in the old demo: 97.6 % of the basin's employees in one
    establishment of financial services (LQ 9.2)."""
    local = {"64": (1, 7499.5, 7499.5), "47": (113, 186.5, 34.5)}
    national = {"64": (50, 8000.0), "47": (20_000, 67_000.0)}
    finance = metrics.sector_indicators(local=local, national=national)[0]
    assert finance.employees_share == pytest.approx(0.9757, abs=1e-4)
    assert finance.location_quotient > 9
    assert not finance.robust
    assert not finance.specialised
    assert metrics.top_specialisations([finance]) == []


def test_a_dominant_site_among_several_is_not_a_specialisation_either():
    local = {"64": (4, 7560.0, 7499.5), "47": (113, 1186.5, 34.5)}
    national = {"64": (50, 8000.0), "47": (20_000, 67_000.0)}
    finance = metrics.sector_indicators(local=local, national=national)[0]
    assert finance.caution.startswith("un seul établissement emploie 99")
    assert not finance.specialised


def test_sector_indicators_of_an_empty_basin():
    assert metrics.sector_indicators(local={}, national={"C": (1, 10.0)}) == []


def test_size_structure_groups_bands_into_four_classes():
    structure = metrics.size_structure(
        {"NN": (100, 0.0), "01": (50, 75.0), "12": (4, 138.0), "32": (1, 374.5)}
    )
    assert [row.size for row in structure] == ["TPE", "PME", "ETI", "GE"]
    tpe, pme, eti, ge = structure
    assert (tpe.establishments, tpe.employees, tpe.caution) == (150, 75.0, "")
    assert (pme.establishments, pme.employees) == (4, 138.0)
    # Four establishments of 34.5: none holds 85 % of the class.
    assert pme.robust
    assert eti.employees_share == pytest.approx(374.5 / 587.5)
    assert eti.caution == "repose sur 1 établissement (minimum 3)"
    assert (ge.establishments, ge.employees, ge.employees_share) == (0, 0.0, 0.0)
    assert ge.robust  # nothing to qualify
    assert pme.label == "Petites et moyennes entreprises (10 à 249 salariés)"


def test_a_size_class_dominated_by_one_site_is_not_a_finding():
    # Two establishments of 10-19 and one of 200-249: 224.5 of 253.5.
    pme = metrics.size_structure({"11": (2, 29.0), "31": (1, 224.5)})[1]
    assert pme.establishments == 3
    assert pme.caution.startswith("un seul établissement emploie 89")
    assert not pme.robust


def test_employers_count_the_bands_with_employees():
    bands = {"NN": (100, 0.0), "00": (5, 0.0), "": (3, 0.0), "01": (7, 10.5)}
    assert metrics.employers(bands) == 7


@pytest.mark.parametrize(
    ("employers", "top", "reason"),
    [
        (19, 5, "le bassin compte 19 établissements employeurs (minimum 20 pour "
         "les 5 plus grands)"),
        (1, 5, "le bassin compte 1 établissement employeur (minimum 20 pour les 5 "
         "plus grands)"),
        (20, 5, ""),
        (39, 10, "le bassin compte 39 établissements employeurs (minimum 40 pour "
         "les 10 plus grands)"),
        (40, 10, ""),
    ],
)  # fmt: skip
def test_dependence_needs_several_times_more_employers_than_its_rank(
    employers, top, reason
):
    assert metrics.dependence_caution(employers=employers, top=top) == reason


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
    assert result[0].caution == ""
    assert result[2].caution == "10 créations (minimum 20)"


def test_difficulty_rate():
    assert metrics.difficulty_rate(projects=200, difficult=50) == 0.25
    assert metrics.difficulty_rate(projects=0, difficult=0) is None
    assert metrics.difficulty_rate(projects=None, difficult=None) is None
