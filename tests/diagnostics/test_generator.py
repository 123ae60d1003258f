"""The seeded SIRENE stock generator used by the benchmarks."""

import csv
import hashlib

import pytest

from bench import sirene


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
    assert set(bands) - {""} <= {band for band, _weight in sirene.SMALL_BANDS}
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
    subclasses = {code for code, _section in sirene.load_naf()[0]}
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
