"""Exports: formula-safe cells, XLSX and CSV content."""

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from roadmap.exports import escape_cell, escape_row
from tests.roadmap.factories import (
    AxisFactory,
    IndicatorFactory,
    LocalActorFactory,
    MeasurementFactory,
    RiskFactory,
    RoadmapFactory,
    SkillFactory,
    TrainingActionFactory,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+33 6 12 34 56 78", "'+33 6 12 34 56 78"),
        ("-2+3", "'-2+3"),
        ("@x", "'@x"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("\0=1", "'=1"),
        ("  =1+1", "'  =1+1"),
    ],
)
def test_formula_triggers_are_prefixed_with_an_apostrophe(value, expected):
    assert escape_cell(value) == expected


@pytest.mark.parametrize(
    "value",
    ["Grenoble", "Plan 2026-2030", "contact@example.fr", "", "l'usine = friche"],
)
def test_plain_text_is_untouched(value):
    assert escape_cell(value) == value


@pytest.mark.parametrize(
    "value",
    [-5, 0, 3.5, Decimal("-12.50"), True, None, date(2026, 1, 1)],
)
def test_numbers_dates_and_none_are_untouched(value):
    assert escape_cell(value) is value


def test_control_characters_are_dropped_but_newlines_kept():
    assert escape_cell("ligne 1\nligne\x02 2") == "ligne 1\nligne 2"


def test_escape_row_escapes_every_cell():
    assert escape_row(["=1", 2, "ok"]) == ("'=1", 2, "ok")


# --- XLSX and CSV of a roadmap ---------------------------------------------------


@pytest.fixture
def roadmap(territory):
    return RoadmapFactory(
        basin=territory["grenoble"], period_start=2026, title="Grenoble 2026"
    )


@pytest.fixture
def tricky_roadmap(roadmap):
    """Cells a spreadsheet would run as formulas."""
    actor = LocalActorFactory(
        roadmap=roadmap, name="=SUM(A1)", contact="+33 4 76 00 00 00", role="@x"
    )
    SkillFactory(roadmap=roadmap, job_title="-2+3", people_available=7)
    indicator = IndicatorFactory(
        roadmap=roadmap,
        name="Solde d'emplois",
        baseline=Decimal("-12.50"),
        target=Decimal("40"),
        target_date=date(2030, 12, 31),
    )
    MeasurementFactory(
        indicator=indicator, measured_on=date(2026, 6, 30), value=Decimal("-3.25")
    )
    RiskFactory(roadmap=roadmap, title="Précipitation", owner=actor)
    TrainingActionFactory(roadmap=roadmap, owner=actor, title="CAP soudure")
    return roadmap


def _get(client, name, roadmap):
    return client.get(reverse(name, kwargs={"pk": roadmap.pk}))


def _workbook(response):
    return openpyxl.load_workbook(io.BytesIO(response.content))


def _rows(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def _column(sheet, header):
    rows = _rows(sheet)
    index = rows[0].index(header)
    return [row[index] for row in rows[1:]]


@pytest.mark.django_db
def test_xlsx_is_an_attachment_named_after_basin_and_period(client, member, roadmap):
    client.force_login(member)
    response = _get(client, "roadmap:export_xlsx", roadmap)
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="feuille-de-route-8409-2026-2031.xlsx"'
    )


@pytest.mark.django_db
def test_xlsx_has_one_sheet_per_item_type_with_french_headers(
    client, member, tricky_roadmap
):
    client.force_login(member)
    book = _workbook(_get(client, "roadmap:export_xlsx", tricky_roadmap))
    assert book.sheetnames == [
        "Feuille de route",
        "Étapes",
        "Chiffres épinglés",
        "Compétences",
        "Infrastructures",
        "Conditions sociales",
        "Besoins",
        "Acteurs locaux",
        "Axes stratégiques",
        "Actions de formation",
        "Projets d'investissement",
        "Lignes de financement",
        "Partenariats",
        "Indicateurs",
        "Mesures",
        "Risques",
    ]
    assert _rows(book["Compétences"])[0] == [
        "Métier",
        "Catégorie",
        "Personnes disponibles",
        "Niveau de tension",
    ]
    assert _rows(book["Étapes"])[1][:3] == [1, "Diagnostic partagé", "brouillon"]
    assert len(_rows(book["Étapes"])) == 7
    assert "Grenoble" in [row[1] for row in _rows(book["Feuille de route"])]


@pytest.mark.django_db
def test_xlsx_cells_are_formula_safe(client, member, tricky_roadmap):
    client.force_login(member)
    book = _workbook(_get(client, "roadmap:export_xlsx", tricky_roadmap))
    actors = book["Acteurs locaux"]
    assert _column(actors, "Nom") == ["'=SUM(A1)"]
    assert _column(actors, "Contact") == ["'+33 4 76 00 00 00"]
    assert _column(actors, "Rôle dans le bassin") == ["'@x"]
    assert _column(book["Compétences"], "Métier") == ["'-2+3"]
    # A foreign key shown as text is escaped too.
    assert _column(book["Risques"], "Porteur") == ["'=SUM(A1)"]
    # No cell of the workbook is a formula.
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate)


@pytest.mark.django_db
def test_xlsx_keeps_numbers_and_dates_typed(client, member, tricky_roadmap):
    client.force_login(member)
    book = _workbook(_get(client, "roadmap:export_xlsx", tricky_roadmap))
    assert _column(book["Indicateurs"], "Valeur de départ")[-1] == -12.5
    measures = book["Mesures"]
    assert _column(measures, "Valeur") == [-3.25]
    assert _column(measures, "Date de la mesure")[0].date() == date(2026, 6, 30)
    assert _column(book["Compétences"], "Personnes disponibles") == [7]


@pytest.mark.django_db
def test_csv_is_an_attachment_with_a_section_per_table(client, member, tricky_roadmap):
    client.force_login(member)
    response = _get(client, "roadmap:export_csv", tricky_roadmap)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="feuille-de-route-8409-2026-2031.csv"'
    )
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff# Feuille de route\r\n")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    titles = [row[0] for row in rows if row and row[0].startswith("# ")]
    assert titles[:4] == [
        "# Feuille de route",
        "# Étapes",
        "# Chiffres épinglés",
        "# Compétences",
    ]
    assert titles[-1] == "# Risques"
    assert len(titles) == 16


@pytest.mark.django_db
def test_csv_cells_are_formula_safe(client, member, tricky_roadmap):
    client.force_login(member)
    text = _get(client, "roadmap:export_csv", tricky_roadmap).content.decode()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    cells = [cell for row in rows for cell in row]
    assert "'=SUM(A1)" in cells
    assert "'+33 4 76 00 00 00" in cells
    assert "'@x" in cells
    assert "'-2+3" in cells
    unsafe = [cell for cell in cells if cell[:1] in ("=", "+", "@", "\t", "\r")]
    assert unsafe == []


@pytest.mark.django_db
def test_csv_writes_french_numbers_and_dates(client, member, tricky_roadmap):
    client.force_login(member)
    text = _get(client, "roadmap:export_csv", tricky_roadmap).content.decode()
    # Negative numbers stay numbers: no apostrophe in front.
    assert "30/06/2026;-3,25" in text
    assert "'-3,25" not in text


@pytest.mark.django_db
def test_exports_take_a_fixed_number_of_queries(
    client, member, tricky_roadmap, django_assert_max_num_queries
):
    client.force_login(member)
    for _ in range(5):
        TrainingActionFactory(roadmap=tricky_roadmap)
        AxisFactory(roadmap=tricky_roadmap)
    # One query per table (the pinned figures included), whatever the rows.
    with django_assert_max_num_queries(19):
        assert _get(client, "roadmap:export_xlsx", tricky_roadmap).status_code == 200


@pytest.mark.django_db
def test_outsider_may_not_export(client, outsider, roadmap):
    client.force_login(outsider)
    assert _get(client, "roadmap:export_csv", roadmap).status_code == 404
    assert _get(client, "roadmap:export_xlsx", roadmap).status_code == 404
