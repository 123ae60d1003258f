"""Roadmap exports (XLSX, CSV) built with tablib, every cell formula-safe."""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

import tablib
from django.db import models
from django.utils import timezone
from django.utils.formats import number_format

from roadmap.enums import StageKind
from roadmap.models import (
    Axis,
    FundingLine,
    Indicator,
    Infrastructure,
    InvestmentProject,
    LocalActor,
    Measurement,
    Need,
    Partnership,
    PinnedFigure,
    Risk,
    Roadmap,
    Skill,
    SocialCondition,
    TrainingAction,
)

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
# Shared by the XLSX/CSV exports and the printable page.

ACTION_COLUMNS = ("owner", "start_date", "end_date", "status", "progress")


@dataclass(frozen=True)
class TableSpec:
    title: str
    model: type[models.Model]
    columns: tuple[str, ...]
    # None for rows attached to the roadmap itself (risks).
    stage_number: int | None = None


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
        return [tuple(display_value(value) for value in row) for row in self.rows]


def display_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal | float | int) and not isinstance(value, bool):
        return number_format(value, use_l10n=True, force_grouping=True)
    return str(value)


TABLE_SPECS = (
    TableSpec(
        "Compétences",
        Skill,
        ("job_title", "category", "people_available", "shortage_level"),
        StageKind.DIAGNOSTIC,
    ),
    TableSpec(
        "Infrastructures",
        Infrastructure,
        ("kind", "name", "area_ha", "availability", "friche_status"),
        StageKind.DIAGNOSTIC,
    ),
    TableSpec(
        "Conditions sociales",
        SocialCondition,
        ("aspect", "rating", "notes"),
        StageKind.DIAGNOSTIC,
    ),
    TableSpec(
        "Besoins", Need, ("title", "description", "priority"), StageKind.DIAGNOSTIC
    ),
    TableSpec(
        "Acteurs locaux",
        LocalActor,
        ("kind", "name", "role", "contact", "is_sme", "is_local", "siret"),
        StageKind.DIAGNOSTIC,
    ),
    TableSpec(
        "Axes stratégiques",
        Axis,
        ("kind", "title", "rationale", "priority", "naf_divisions"),
        StageKind.STRATEGY,
    ),
    TableSpec(
        "Actions de formation",
        TrainingAction,
        (
            "title",
            "provider_kind",
            "places",
            "target_jobs",
            "axis",
            *ACTION_COLUMNS,
        ),
        StageKind.SKILLS,
    ),
    TableSpec(
        "Projets d'investissement",
        InvestmentProject,
        ("title", "kind", "amount", "axis", *ACTION_COLUMNS),
        StageKind.INVESTMENT,
    ),
    TableSpec(
        "Lignes de financement",
        FundingLine,
        (
            "beneficiary_name",
            "kind",
            "project",
            "beneficiary_is_local",
            "beneficiary_is_sme",
            "amount_requested",
            "amount_obtained",
            "amount_paid",
            "local_hires_promised",
            "local_purchasing_promised_pct",
            "conditions",
            *ACTION_COLUMNS,
        ),
        StageKind.INVESTMENT,
    ),
    TableSpec(
        "Partenariats",
        Partnership,
        (
            "contractor",
            "smes",
            "cluster",
            "shared_tools",
            "partnership_status",
            *ACTION_COLUMNS,
        ),
        StageKind.NETWORK,
    ),
    TableSpec(
        "Indicateurs",
        Indicator,
        ("name", "kind", "unit", "baseline", "target", "target_date", "source"),
        StageKind.MONITORING,
    ),
    TableSpec(
        "Mesures",
        Measurement,
        ("indicator", "measured_on", "value", "comment", "source"),
        StageKind.MONITORING,
    ),
    TableSpec(
        "Risques",
        Risk,
        ("title", "kind", "likelihood", "impact", "mitigation", "owner"),
    ),
)

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
        return "oui" if value else "non"
    return value


def _table(spec: TableSpec, roadmap: Roadmap) -> Table:
    fields = [spec.model._meta.get_field(name) for name in spec.columns]
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
        title=spec.title,
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
                _local(stage.submitted_at),
                "oui" if stage.submitted_with_gaps else "non",
                _local(stage.reviewed_at),
                stage.summary,
            )
            for stage in stages
        ],
        numeric=[True, False, False, True, False, False, False, False],
    )


def _local(moment):
    """An aware datetime as a naive local one: XLSX has no time zones."""
    if moment is None:
        return None
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0)


def item_tables(*, roadmap: Roadmap) -> list[Table]:
    """One table per item type (risks last), one query each (plus prefetches)."""
    return [_table(spec, roadmap) for spec in TABLE_SPECS]


# The figures of the automatic diagnostic pinned to stage 1, with their frozen
# source (which says "Données de démonstration (générées)" for demo data).
# Exports only: the printable page shows them in its own block.
PINNED_SPEC = TableSpec(
    "Chiffres épinglés",
    PinnedFigure,
    ("label", "value", "source", "note"),
    StageKind.DIAGNOSTIC,
)


def all_tables(*, roadmap: Roadmap) -> list[Table]:
    """What an export holds: the roadmap, its stages, the pinned figures, then
    every item table."""
    return [
        roadmap_info(roadmap=roadmap),
        stage_table(roadmap=roadmap),
        _table(PINNED_SPEC, roadmap),
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
            ("Exportée le", _local(timezone.now())),
        ],
        numeric=[False, False],
    )


def _dataset(table: Table) -> tablib.Dataset:
    dataset = tablib.Dataset(title=table.title)
    dataset.headers = [escape_cell(header) for header in table.headers]
    for row in table.rows:
        dataset.append(escape_row(row))
    return dataset


def export_filename(*, roadmap: Roadmap, extension: str) -> str:
    """feuille-de-route-8409-2026-2030.xlsx"""
    return (
        f"feuille-de-route-{roadmap.basin.code}-"
        f"{roadmap.period_start}-{roadmap.period_end}.{extension}"
    )


def roadmap_xlsx(*, roadmap: Roadmap) -> bytes:
    """The roadmap as an XLSX workbook: one sheet per table."""
    tables = all_tables(roadmap=roadmap)
    book = tablib.Databook([_dataset(table) for table in tables])
    return book.export("xlsx")


def roadmap_csv(*, roadmap: Roadmap) -> str:
    """The roadmap as one CSV (";" separated): one section per table, each
    introduced by its title and headers, sections separated by a blank line."""
    tables = all_tables(roadmap=roadmap)
    output = io.StringIO()
    writer = csv.writer(output, delimiter=";", lineterminator="\r\n")
    for index, table in enumerate(tables):
        if index:
            writer.writerow([])
        writer.writerow([escape_cell(f"# {table.title}")])
        writer.writerow(escape_row(table.headers))
        for row in table.rows:
            # Escape first: a negative number is data, not a formula.
            writer.writerow(_csv_value(value) for value in escape_row(row))
    return output.getvalue()


def _csv_value(value):
    """French spreadsheets read 12,5 and 23/11/2026, not 12.5 and 2026-11-23."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal | float):
        return str(value).replace(".", ",")
    return value
