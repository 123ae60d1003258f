"""Roadmap exports (XLSX, CSV) built with tablib, every cell formula-safe."""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import tablib
from django.db import models
from django.utils import timezone

from roadmap.enums import StageKind
from roadmap.formatting import csv_value, naive_local, value_text, yes_no
from roadmap.models import PinnedFigure, Roadmap
from roadmap.models.registry import ITEM_TYPES, ItemType

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"

# A spreadsheet runs a cell starting with one of these as a formula (CSV
# injection). IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT only strips "=".
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
# Control characters that XLSX cannot store (openpyxl refuses them) and that
# have no business in a CSV either; tab, LF and CR are kept.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def escape_cell(value):
    """Return value safe for a spreadsheet cell.

    Strings starting with = + - @, tab, CR or NUL (also after leading spaces,
    which some spreadsheets skip) get a leading apostrophe, so they are read
    as text. Numbers, dates, booleans and None are returned untouched.
    """
    if value is None or isinstance(value, bool | int | float | Decimal | date):
        return value
    text = str(value)
    if text.lstrip(" ").startswith(FORMULA_TRIGGERS):
        text = "'" + text
    return CONTROL_CHARACTERS.sub("", text)


def escape_row(row):
    """escape_cell over a row (any iterable), as a tuple."""
    return tuple(escape_cell(value) for value in row)


# --- Tables of a roadmap ----------------------------------------------------
# Shared by the XLSX/CSV exports and the printable page; one per item type of
# the registry (roadmap.models.registry), in its order.


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[tuple]
    stage_number: int | None = None
    # Per column: is it a number (right-aligned when printed)?
    numeric: list[bool] = field(default_factory=list)

    @property
    def display_rows(self) -> list[tuple[str, ...]]:
        """Rows as French text, for the printable page ("" for no value)."""
        return [tuple(value_text(value) for value in row) for row in self.rows]


NUMERIC_FIELDS = (
    models.IntegerField,
    models.DecimalField,
    models.FloatField,
)


def _header(model_field) -> str:
    name = str(model_field.verbose_name)
    return name[:1].upper() + name[1:]


def _cell(instance, model_field):
    """A field's value for a table: labels for choices, text for relations,
    "oui"/"non" for booleans; numbers and dates stay typed."""
    if model_field.many_to_many:
        # Prefetched: .all() does not query again.
        return ", ".join(str(obj) for obj in getattr(instance, model_field.name).all())
    value = getattr(instance, model_field.name)
    if value is None:
        return None
    if model_field.choices:
        return getattr(instance, f"get_{model_field.name}_display")()
    if model_field.is_relation:
        return str(value)
    if isinstance(value, bool):
        return yes_no(value)
    return value


def _table(spec: ItemType, roadmap: Roadmap) -> Table:
    fields = [spec.model._meta.get_field(name) for name in spec.table_columns]
    related = [f.name for f in fields if f.is_relation and not f.many_to_many]
    many = [f.name for f in fields if f.many_to_many]
    if spec.stage_number is None:
        rows = spec.model.objects.filter(roadmap=roadmap)
    else:
        rows = spec.model.objects.filter(stage__roadmap=roadmap)
    if related:
        rows = rows.select_related(*related)
    if many:
        rows = rows.prefetch_related(*many)
    return Table(
        title=spec.export_title,
        headers=[_header(f) for f in fields],
        rows=[tuple(_cell(row, f) for f in fields) for row in rows],
        stage_number=spec.stage_number,
        numeric=[isinstance(f, NUMERIC_FIELDS) and not f.choices for f in fields],
    )


def stage_table(*, roadmap: Roadmap) -> Table:
    """The six stages: status, progress, dates, summary."""
    stages = roadmap.stages.with_progress().order_by("number")
    return Table(
        title="Étapes",
        headers=[
            "Étape",
            "Intitulé",
            "Statut",
            "Avancement (%)",
            "Soumise le",
            "Soumise avec des incohérences",
            "Examinée le",
            "Synthèse",
        ],
        rows=[
            (
                stage.number,
                stage.get_number_display(),
                stage.get_status_display(),
                stage.progress,
                naive_local(stage.submitted_at),
                yes_no(stage.submitted_with_gaps),
                naive_local(stage.reviewed_at),
                stage.summary,
            )
            for stage in stages
        ],
        numeric=[True, False, False, True, False, False, False, False],
    )


def item_tables(*, roadmap: Roadmap) -> list[Table]:
    """One table per item type (risks last), one query each (plus prefetches)."""
    return [_table(spec, roadmap) for spec in ITEM_TYPES]


def pinned_table(*, roadmap: Roadmap) -> Table:
    """The figures of the automatic diagnostic pinned to stage 1, with their
    frozen source (which says "Données de démonstration (générées)" for demo
    data). Exports only: the printable page shows them in its own block."""
    fields = [
        PinnedFigure._meta.get_field(name)
        for name in ("label", "value", "source", "note")
    ]
    pins = PinnedFigure.objects.filter(stage__roadmap=roadmap)
    return Table(
        title="Chiffres épinglés",
        headers=[_header(f) for f in fields],
        rows=[tuple(_cell(pin, f) for f in fields) for pin in pins],
        stage_number=StageKind.DIAGNOSTIC,
        numeric=[False] * len(fields),
    )


def all_tables(*, roadmap: Roadmap) -> list[Table]:
    """What an export holds: the roadmap, its stages, the pinned figures, then
    every item table."""
    return [
        roadmap_info(roadmap=roadmap),
        stage_table(roadmap=roadmap),
        pinned_table(roadmap=roadmap),
        *item_tables(roadmap=roadmap),
    ]


def roadmap_info(*, roadmap: Roadmap) -> Table:
    basin = roadmap.basin
    return Table(
        title="Feuille de route",
        headers=["Rubrique", "Valeur"],
        rows=[
            ("Titre", roadmap.title),
            ("Bassin d'emploi", basin.name),
            ("Code de la zone d'emploi", basin.code),
            ("Période", f"{roadmap.period_start}-{roadmap.period_end}"),
            ("Exportée le", naive_local(timezone.now())),
        ],
        numeric=[False, False],
    )


def _dataset(table: Table) -> tablib.Dataset:
    dataset = tablib.Dataset(title=table.title)
    dataset.headers = [escape_cell(header) for header in table.headers]
    for row in table.rows:
        dataset.append(escape_row(row))
    return dataset


def _write_csv(writer, table: Table) -> None:
    writer.writerow(escape_row(table.headers))
    for row in table.rows:
        # Escape first: a negative number is data, not a formula.
        writer.writerow(csv_value(value) for value in escape_row(row))


def with_bom(text: str) -> str:
    """A BOM, so that spreadsheets open the UTF-8 file with its accents."""
    return "\ufeff" + text


def export_filename(*, roadmap: Roadmap, extension: str) -> str:
    """feuille-de-route-8409-2026-2030.xlsx"""
    return (
        f"feuille-de-route-{roadmap.basin.code}-"
        f"{roadmap.period_start}-{roadmap.period_end}.{extension}"
    )


def xlsx_bytes(tables: list[Table]) -> bytes:
    """The tables as an XLSX workbook, one sheet per table."""
    if len(tables) == 1:
        return _dataset(tables[0]).export("xlsx")
    return tablib.Databook([_dataset(table) for table in tables]).export("xlsx")


def csv_text(tables: list[Table]) -> str:
    """The tables as one CSV (";" separated): one table is its headers and
    rows; several are sections, each introduced by its title and headers,
    separated by a blank line."""
    output = io.StringIO()
    writer = csv.writer(output, delimiter=";", lineterminator="\r\n")
    if len(tables) == 1:
        _write_csv(writer, tables[0])
        return output.getvalue()
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow([escape_cell(f"# {table.title}")])
        _write_csv(writer, table)
    return output.getvalue()
