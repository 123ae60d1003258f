"""Malformed files are refused with a French message, before anything is written."""

import pytest

from diagnostics.importers.insee import QUARTER_RE, import_unemployment
from diagnostics.importers.sirene import check_file, import_sirene
from diagnostics.importers.validation import ImportFileError, inspect_csv
from diagnostics.models import (
    Establishment,
    ImportKind,
    ImportRun,
    ImportStatus,
    UnemploymentRate,
)
from tests.basins.factories import CommuneFactory
from tests.diagnostics.factories import sirene_header, sirene_row, write_sirene


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def refused(path) -> str:
    with pytest.raises(ImportFileError) as error:
        check_file(path)
    return str(error.value)


def test_empty_file_is_refused(tmp_path):
    path = tmp_path / "vide.csv"
    path.write_bytes(b"")

    assert refused(path) == "Le fichier vide.csv est vide."


def test_file_with_only_blank_lines_is_refused(tmp_path):
    path = tmp_path / "blanc.csv"
    path.write_bytes(b"\n\r\n  \n")

    assert "est vide" in refused(path)


def test_binary_file_is_refused(tmp_path):
    path = tmp_path / "binaire.csv"
    path.write_bytes(b"siren,siret\n\x00\x01\x02\x00" * 10)

    assert "c'est un fichier binaire" in refused(path)


def test_excel_workbook_is_refused_by_name(tmp_path):
    path = tmp_path / "stock.csv"
    path.write_bytes(b"PK\x03\x04" + b"\x14\x00" * 50)

    message = refused(path)

    assert "classeur Excel" in message
    assert "CSV UTF-8" in message


def test_cp1252_file_is_refused(tmp_path):
    path = write_sirene(
        tmp_path / "stock.csv",
        [sirene_row(enseigne1Etablissement="CAFÉ DES ÉCOLES")],
        encoding="cp1252",
    )

    message = refused(path)

    assert "n'est pas encodé en UTF-8" in message
    assert "ligne 2" in message
    assert "Windows-1252" in message


def test_semicolon_separator_is_refused(tmp_path):
    path = tmp_path / "stock.csv"
    path.write_text(";".join(sirene_header()) + "\n" + "1;2;3\n", encoding="utf-8")

    assert "« ; » comme séparateur" in refused(path)


def test_missing_columns_are_named(tmp_path):
    columns = [
        c
        for c in sirene_header()
        if c not in ("codeCommuneEtablissement", "trancheEffectifsEtablissement")
    ]
    path = tmp_path / "stock.csv"
    path.write_text(",".join(columns) + "\n", encoding="utf-8")

    message = refused(path)

    assert message == (
        "Colonnes manquantes dans stock.csv : trancheEffectifsEtablissement, "
        "codeCommuneEtablissement."
    )


def test_ragged_row_is_refused_with_its_line_number(tmp_path):
    path = write_sirene(tmp_path / "stock.csv", [sirene_row(), sirene_row()])
    lines = path.read_text(encoding="utf-8").splitlines()
    lines.insert(2, lines[1] + ",en trop")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    message = refused(path)

    assert message.startswith(
        "Ligne 3 du fichier stock.csv : 55 colonnes au lieu de 54"
    )


def test_utf8_bom_is_accepted(tmp_path):
    path = write_sirene(tmp_path / "stock.csv", [sirene_row()], bom=True)

    head = check_file(path)

    assert head.columns[0] == "siren"
    assert head.rows_in_head == 1


def test_quarter_columns_are_required_for_unemployment(tmp_path):
    path = tmp_path / "chomage.csv"
    path.write_text("ZE2020,LIBZE2020,REG,LIBREG\n0051,Alençon,28,NORMANDIE\n")

    with pytest.raises(ImportFileError, match=r"motif attendu"):
        inspect_csv(
            path,
            required=("ZE2020",),
            patterns=[QUARTER_RE],
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\x01binaire",
        b"siren;siret\n1;2\n",
        b"siren,siret\n",
        "ZE2020,LIBZE2020,2003-T1\n0051,Alençon,7\n".encode("cp1252"),
    ],
    ids=["empty", "binary", "semicolon", "missing-columns", "cp1252"],
)
def test_nothing_is_written_and_the_run_failed(territory, tmp_path, content):
    CommuneFactory(code="38185", basin=territory["grenoble"])
    path = tmp_path / "fichier.csv"
    path.write_bytes(content)
    sirene_run = ImportRun.objects.create(kind=ImportKind.SIRENE, file_name=path.name)
    indicator_run = ImportRun.objects.create(
        kind=ImportKind.UNEMPLOYMENT, file_name=path.name
    )

    import_sirene(path=path, run=sirene_run)
    import_unemployment(path=path, run=indicator_run)

    for run in (sirene_run, indicator_run):
        run.refresh_from_db()
        assert run.status == ImportStatus.FAILED
        assert run.error_message
        assert (run.inserted, run.updated) == (0, 0)
    assert not Establishment.objects.exists()
    assert not UnemploymentRate.objects.exists()
