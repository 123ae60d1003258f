"""The seeded SIRENE stock generator used by the benchmarks."""

import csv
import hashlib

import pytest

from bench import calibration, sirene


@pytest.fixture(scope="module")
def official_columns(data_dir_path):
    text = (data_dir_path / sirene.HEADER_FILE).read_text(encoding="utf-8")
    return next(line for line in text.splitlines() if line.startswith("siren,"))


@pytest.fixture(scope="module")
def data_dir_path():
    from django.conf import settings

    return settings.DATA_DIR


@pytest.fixture(scope="module")
def stock(tmp_path_factory, data_dir_path):
    path = tmp_path_factory.mktemp("sirene") / "stock.csv"
    sirene.write(path, rows=3000, seed=7, data_dir=data_dir_path)
    return path


def read(path):
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_header_is_the_official_54_column_line(stock, official_columns):
    first_line = stock.read_text(encoding="utf-8").split("\n", 1)[0]
    assert first_line == official_columns
    assert len(first_line.split(",")) == 54


def test_legacy_header_has_the_48_older_columns(tmp_path, data_dir_path):
    path = tmp_path / "legacy.csv"
    sirene.write(path, rows=50, seed=7, legacy=True, data_dir=data_dir_path)
    rows = read(path)
    assert len(rows[0]) == 48
    assert "activitePrincipaleNAF25Etablissement" not in rows[0]
    assert "identifiantAdresseEtablissement" not in rows[0]
    assert {len(row) for row in rows} == {48}


def test_every_row_has_as_many_fields_as_the_header(stock):
    rows = read(stock)
    assert len(rows) == 3001
    assert {len(row) for row in rows} == {54}


def test_same_seed_gives_the_same_bytes(tmp_path, stock, data_dir_path):
    again = tmp_path / "again.csv"
    sirene.write(again, rows=3000, seed=7, data_dir=data_dir_path)
    assert (
        hashlib.sha256(again.read_bytes()).digest()
        == hashlib.sha256(stock.read_bytes()).digest()
    )


def test_another_seed_gives_other_rows(tmp_path, stock, data_dir_path):
    other = tmp_path / "other.csv"
    sirene.write(other, rows=3000, seed=8, data_dir=data_dir_path)
    assert other.read_bytes() != stock.read_bytes()


def test_siren_and_siret_are_luhn_valid_and_unique(stock):
    header, *rows = read(stock)
    siren, nic, siret = (header.index(c) for c in ("siren", "nic", "siret"))
    for row in rows:
        assert len(row[siren]) == 9
        assert len(row[nic]) == 5
        assert row[siret] == row[siren] + row[nic]
        assert sirene.luhn_valid(row[siren]), row[siren]
        assert sirene.luhn_valid(row[siret]), row[siret]
    assert len({row[siret] for row in rows}) == len(rows)


def test_luhn_helpers_on_a_known_siret():
    # SIRET of INSEE's head office, published on annuaire-entreprises.
    assert sirene.luhn_valid("12000101100010")
    assert not sirene.luhn_valid("12000101100011")
    assert sirene.luhn_complete("1200010110001") == "12000101100010"


def test_values_look_like_the_official_stock(stock):
    header, *rows = read(stock)
    column = {name: header.index(name) for name in header}
    states = [row[column["etatAdministratifEtablissement"]] for row in rows]
    assert set(states) == {"A", "F"}
    assert 0.5 < states.count("A") / len(rows) < 0.7
    bands = [row[column["trancheEffectifsEtablissement"]] for row in rows]
    small = sum(band in ("", "NN", "00", "01") for band in bands)
    assert small / len(rows) > 0.7
    assert set(bands) <= set(calibration.BANDS)
    nomenclatures = {
        row[column["nomenclatureActivitePrincipaleEtablissement"]] for row in rows
    }
    assert {"NAFRev2", "NAFRev1"} <= nomenclatures
    communes = {row[column["codeCommuneEtablissement"]] for row in rows}
    assert any(code.startswith("751") and len(code) == 5 for code in communes)
    assert "75056" not in communes  # SIRENE gives the arrondissement
    assert {len(code) for code in communes} == {5}
    hidden = [row for row in rows if row[column["statutDiffusionEtablissement"]] == "P"]
    assert hidden
    assert all(row[column["libelleVoieEtablissement"]] == "[ND]" for row in hidden)


def test_naf_codes_are_real_rev2_subclasses(stock):
    header, *rows = read(stock)
    code, nomenclature = (
        header.index("activitePrincipaleEtablissement"),
        header.index("nomenclatureActivitePrincipaleEtablissement"),
    )
    subclasses = {
        code for codes, _weights in sirene.load_naf().values() for code in codes
    }
    assert len(subclasses) == 732
    rev2 = [row[code] for row in rows if row[nomenclature] == "NAFRev2"]
    assert set(rev2) <= subclasses
    assert len(set(rev2)) > 200


def test_fields_with_commas_are_quoted_like_the_official_file(stock):
    text = stock.read_text(encoding="utf-8")
    assert ', PERE ET FILS"' in text
    assert "\r" not in text


def test_cli_writes_the_requested_rows(tmp_path, data_dir_path, capsys):
    out = tmp_path / "cli.csv"
    code = sirene.main(
        [
            "--rows",
            "120",
            "--seed",
            "3",
            "--out",
            str(out),
            "--data-dir",
            str(data_dir_path),
        ]
    )
    assert code == 0
    assert len(read(out)) == 121
    assert "120 lignes" in capsys.readouterr().out


def test_the_first_row_carries_the_demo_marker(stock):
    header, first, *rows = read(stock)
    at = header.index(sirene.MARKER_COLUMN)
    assert first[at] == sirene.GENERATED_MARKER
    assert all(row[at] != sirene.GENERATED_MARKER for row in rows)


def test_legacy_file_carries_the_marker_too(tmp_path, data_dir_path):
    path = tmp_path / "legacy.csv"
    sirene.write(path, rows=5, seed=1, legacy=True, data_dir=data_dir_path)
    header, first, *_rows = read(path)
    assert first[header.index(sirene.MARKER_COLUMN)] == sirene.GENERATED_MARKER


# --- Calibration --------------------------------------------------------------


def test_the_section_band_table_meets_its_margins():
    table = calibration.section_band_table()
    aims = calibration.published()
    for section, row in table.items():
        share = sum(row.values())
        assert share == pytest.approx(aims[f"establishments_{section}"], rel=1e-6)
        jobs = sum(v * calibration.BAND_MIDPOINTS[b] for b, v in row.items())
        assert jobs / calibration.mean_employees() == pytest.approx(
            aims[f"jobs_{section}"], rel=1e-3
        )
    for band in calibration.BANDS:
        column = sum(row[band] for row in table.values())
        assert column == pytest.approx(aims[f"band_{band}"], rel=0.05, abs=1e-5)


def test_published_figures_add_up():
    aims = calibration.published()
    assert sum(aims[f"jobs_{s}"] for s in calibration.SECTIONS) == pytest.approx(1)
    assert sum(aims[f"band_{b}"] for b in calibration.BANDS) == pytest.approx(1)
    assert 0.10 < aims["manufacturing_jobs"] < 0.12
    assert aims["employees_per_active"] == pytest.approx(
        calibration.mean_employees(), rel=0.05
    )


@pytest.mark.parametrize("cap", [1.0, 8.0, 40.0, 200.0, 20_000.0])
def test_capped_bands_keep_the_employees_without_the_big_sites(cap):
    row = calibration.section_band_table()["C"]
    capped = calibration.capped_bands(row, cap=cap)
    assert sum(capped.values()) == pytest.approx(1)
    kept = {b for b, v in capped.items() if v and calibration.BAND_MIDPOINTS[b]}
    assert all(calibration.BAND_MIDPOINTS[b] <= max(cap, 1.5) for b in kept)
    employers = sum(v for b, v in capped.items() if b in kept)
    assert employers <= calibration.MAX_EMPLOYER_SHARE + 1e-9
    before = calibration._mean(row)
    after = calibration._mean(capped)
    if cap >= 40.0:  # room enough for the employees to move
        assert after == pytest.approx(before, rel=1e-6)
    else:  # too small a zone: some are lost, never invented
        assert after < before


def test_the_bmo_mix_tilts_a_zones_sections_within_bounds():
    population = {"A": 1000.0, "B": 3000.0}
    bmo = {"A": {"C": 90.0, "G": 10.0}, "B": {"C": 10.0, "G": 90.0}}
    weights = calibration.zone_section_weights(population, bmo)
    assert weights["A"]["C"] > weights["B"]["C"]
    assert sum(weights["A"].values()) == pytest.approx(1)
    national = calibration.published()
    # France keeps the published mix (population-weighted average of zones).
    for section in ("C", "G", "L"):
        average = (weights["A"][section] + 3 * weights["B"][section]) / 4
        assert average == pytest.approx(national[f"establishments_{section}"], rel=0.02)
    low, high = calibration.TILT_BOUNDS
    ratio = weights["A"]["C"] / weights["B"]["C"]
    assert ratio <= (high / low) * 1.01


@pytest.fixture(scope="module")
def calibrated(tmp_path_factory, data_dir_path):
    """The demo's stock size: what the report's table measures."""
    path = tmp_path_factory.mktemp("calibrated") / "stock.csv"
    sirene.write(path, rows=100_000, seed=1, data_dir=data_dir_path)
    places = sirene.load_places(data_dir_path)
    return calibration.measure(
        path,
        commune_zone={c.code: c.zone for c in places.communes},
        division_section=sirene.division_sections(),
    )


@pytest.mark.slow
def test_a_generated_stock_meets_the_published_aggregates(calibrated):
    aims = calibration.published()
    assert calibrated["employees_per_active"] == pytest.approx(
        aims["employees_per_active"], rel=0.1
    )
    jobs = calibrated["section_jobs"]
    assert jobs["C"] == pytest.approx(aims["manufacturing_jobs"], abs=0.01)
    for section in calibration.SECTIONS:
        assert calibrated["section_establishments"].get(section, 0) == pytest.approx(
            aims[f"establishments_{section}"], abs=0.005
        )
    employers = sum(
        v for b, v in calibrated["bands"].items() if calibration.BAND_MIDPOINTS[b]
    )
    assert employers < 1.3 * aims["employer_share"]


@pytest.mark.slow
def test_no_basin_of_the_demo_is_one_site(calibrated):
    assert calibrated["median_top5"] < 0.6
    share, _zone, _division = calibrated["largest_division_share"]
    assert share < 0.7
    # The old rule's specialisations no longer rest on a single site.
    assert calibrated["old_rule_single"] <= 0.05 * calibrated["old_rule_flagged"]
