"""Reads of the basin diagnostic: aggregates computed in the database.

The SIRENE part is computed for every basin in one pass (one GROUP BY per
indicator family, a window function for the largest establishments) and
returns plain dicts that :mod:`diagnostics.metrics` turns into indicators.
The page of one basin reads the same dicts restricted to that basin.

Caching: SIRENE aggregates only change when a SIRENE import succeeds, so
they are cached under a key that includes the id and ``finished_at`` of the
latest successful, non-dry-run ``ImportRun`` of kind ``SIRENE``; a new import
gives a new key and the old entries are never read again (they expire after
``CACHE_TIMEOUT``). The other blocks (unemployment, population, hiring
projects) are small indexed reads of one basin and are not cached.
"""

from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import (
    Avg,
    Case,
    Count,
    F,
    FloatField,
    Q,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import ExtractYear, RowNumber
from django.utils import timezone

from basins.models import Basin
from diagnostics import charts, metrics
from diagnostics.models import (
    Establishment,
    HiringProjects,
    ImportKind,
    ImportRun,
    ImportStatus,
    NafDivision,
    NafSection,
    NafSubclass,
    PopulationCount,
    UnemploymentRate,
)

CACHE_VERSION = 1
CACHE_TIMEOUT = 60 * 60 * 24 * 7
LARGEST = 10  # establishments kept per basin for the dependence indicators
COHORT_YEARS = 10
TOP_ROWS = 15
LEVELS = ("sections", "divisions", "subclasses")


# --- Sources ------------------------------------------------------------------


def latest_run(*, kind: str) -> ImportRun | None:
    """The latest successful, real (not dry-run) import of a kind of data."""
    return (
        ImportRun.objects.filter(
            kind=kind, status=ImportStatus.SUCCEEDED, dry_run=False
        )
        .order_by("-finished_at", "-pk")
        .first()
    )


def _run_key(run: ImportRun | None) -> str:
    if run is None:
        return "none"
    finished = run.finished_at.timestamp() if run.finished_at else 0
    return f"{run.pk}-{finished:.6f}"


def _cache_key(run: ImportRun | None, *parts) -> str:
    return ":".join(
        ["diagnostics", f"v{CACHE_VERSION}", "sirene", _run_key(run), *map(str, parts)]
    )


# --- SIRENE aggregates (all basins in one pass) -------------------------------


def employees_expression():
    """Estimated employees of one establishment: the middle of its band."""
    zero = [band for band, middle in metrics.BAND_MIDPOINTS.items() if not middle]
    # Most establishments have no employee: test those bands first.
    return Case(
        When(headcount_band__in=zero, then=Value(0.0)),
        *[
            When(headcount_band=band, then=Value(middle))
            for band, middle in metrics.BAND_MIDPOINTS.items()
            if middle
        ],
        default=Value(0.0),
        output_field=FloatField(),
    )


def _empty_basin() -> dict:
    return {
        "sections": {},
        "divisions": {},
        "subclasses": {},
        "bands": {},
        "cohorts": {},
        "largest": [],
    }


def sirene_aggregates(
    *, basin_ids: list[int] | None = None, last_year: int | None = None
) -> tuple[dict[int, dict], dict[str, dict]]:
    """Active establishments and estimated employees of every basin.

    Returns ``(per_basin, national)``. ``per_basin[basin_id]`` holds, as plain
    dicts of ``code -> (establishments, employees)``: ``sections``,
    ``divisions``, ``subclasses`` (NAF rév. 2), ``bands`` (headcount band);
    ``cohorts`` (``creation year -> (created, still active)``, all states,
    for the ``COHORT_YEARS`` years up to ``last_year``) and ``largest``, the
    ``LARGEST`` active establishments with most estimated employees.
    ``national`` holds ``sections``, ``divisions`` and ``subclasses`` for all
    of France (establishments without a basin included), computed by the
    same query when ``basin_ids`` is None, by a query of the same shape
    without the basin otherwise. Four aggregate queries (five with
    ``basin_ids``) in one transaction, whatever the number of basins or
    establishments.
    """
    last_year = last_year or _last_complete_year(latest_run(kind=ImportKind.SIRENE))
    with _aggregation_session():
        return _sirene_aggregates(basin_ids=basin_ids, last_year=last_year)


@contextmanager
def _aggregation_session():
    """One transaction with enough work_mem for in-memory hash aggregates.

    With PostgreSQL's default 4 MB, grouping a million establishments by
    basin and NAF code sorts on disk (about twice slower).
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '64MB'")
        yield


def _sirene_aggregates(*, basin_ids, last_year):
    active = Establishment.objects.filter(is_active=True)
    scoped = active if basin_ids is None else active.filter(basin_id__in=basin_ids)
    per_basin: dict[int, dict] = defaultdict(_empty_basin)

    sector_rows = (
        scoped.values("basin_id", "naf_section", "naf_division", "naf_code")
        .annotate(establishments=Count("pk"), employees=Sum(employees_expression()))
        .order_by()
        .values_list(
            "basin_id",
            "naf_section",
            "naf_division",
            "naf_code",
            "establishments",
            "employees",
        )
    )
    sums = _sector_sums(sector_rows)
    if basin_ids is None:
        national = _merge_levels(sums.values())
    else:
        national = national_sector_totals()
    for basin_id, levels in sums.items():
        if basin_id is not None:
            per_basin[basin_id].update(_frozen(levels))

    band_rows = (
        scoped.filter(basin__isnull=False)
        .values("basin_id", "headcount_band")
        .annotate(establishments=Count("pk"), employees=Sum(employees_expression()))
        .order_by()
    )
    for row in band_rows:
        per_basin[row["basin_id"]]["bands"][row["headcount_band"]] = (
            row["establishments"],
            float(row["employees"] or 0),
        )

    everyone = Establishment.objects.filter(
        basin__isnull=False,
        created_on__gte=date(last_year - COHORT_YEARS + 1, 1, 1),
        created_on__lte=date(last_year, 12, 31),
    )
    if basin_ids is not None:
        everyone = everyone.filter(basin_id__in=basin_ids)
    cohort_rows = (
        everyone.annotate(year=ExtractYear("created_on"))
        .values("basin_id", "year")
        .annotate(
            created=Count("pk"), still_active=Count("pk", filter=Q(is_active=True))
        )
        .order_by()
    )
    for row in cohort_rows:
        per_basin[row["basin_id"]]["cohorts"][row["year"]] = (
            row["created"],
            row["still_active"],
        )

    for row in _largest(scoped):
        per_basin[row["basin_id"]]["largest"].append(row)

    for basin_id in basin_ids or ():
        # A basin without any establishment still gets an (empty) entry.
        per_basin.setdefault(basin_id, _empty_basin())
    return dict(per_basin), national


def _sector_sums(rows) -> dict:
    """Roll (basin, section, division, sub-class, count, employees) rows up.

    Returns ``basin_id -> (sections, divisions, subclasses)``, each a dict of
    ``code -> [establishments, employees]``. Blank codes (old nomenclatures,
    non-diffusible activity) are left out of that level only.
    """
    sums: dict = {}
    # Unrolled: this loop sees a row per basin and sub-class (~120,000).
    for basin_id, section, division, code, count, employees in rows:
        levels = sums.get(basin_id)
        if levels is None:
            levels = sums[basin_id] = ({}, {}, {})
        employees = float(employees or 0)
        if section:
            _accumulate(levels[0], section, count, employees)
        if division:
            _accumulate(levels[1], division, count, employees)
        if code:
            _accumulate(levels[2], code, count, employees)
    return sums


def _accumulate(bucket: dict, key: str, count: int, employees: float) -> None:
    entry = bucket.get(key)
    if entry is None:
        bucket[key] = [count, employees]
    else:
        entry[0] += count
        entry[1] += employees


def _merge_levels(all_levels) -> dict[str, dict[str, tuple[int, float]]]:
    merged: tuple[dict, dict, dict] = ({}, {}, {})
    for levels in all_levels:
        for total, bucket in zip(merged, levels, strict=True):
            for key, (count, employees) in bucket.items():
                _accumulate(total, key, count, employees)
    return _frozen(merged)


def _frozen(levels) -> dict[str, dict[str, tuple[int, float]]]:
    return {
        level: {key: tuple(value) for key, value in bucket.items()}
        for level, bucket in zip(LEVELS, levels, strict=True)
    }


def national_sector_totals() -> dict[str, dict[str, tuple[int, float]]]:
    """France-wide establishments and employees by NAF section/division/sub-class.

    The same query as the per-basin one, without the basin.
    """
    rows = (
        Establishment.objects.filter(is_active=True)
        .values("naf_section", "naf_division", "naf_code")
        .annotate(establishments=Count("pk"), employees=Sum(employees_expression()))
        .order_by()
        .values_list(
            "naf_section", "naf_division", "naf_code", "establishments", "employees"
        )
    )
    return _merge_levels(_sector_sums((None, *row) for row in rows).values())


def _largest(scoped):
    """The LARGEST establishments of each basin, by a row_number() window.

    Works on PostgreSQL and SQLite >= 3.25; only employer bands are ranked,
    which keeps the sort small.
    """
    employer_bands = [b for b, middle in metrics.BAND_MIDPOINTS.items() if middle]
    ranked = (
        scoped.filter(basin__isnull=False, headcount_band__in=employer_bands)
        .annotate(employees=employees_expression())
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("basin_id")],
                order_by=[F("employees").desc(), F("siret").asc()],
            )
        )
        .filter(rank__lte=LARGEST)
        .values("basin_id", "siret", "name", "naf_code", "headcount_band", "employees")
    )
    return sorted(ranked, key=lambda row: (row["basin_id"], -row["employees"]))


def _last_complete_year(run: ImportRun | None) -> int:
    """The last full calendar year before the stock was imported."""
    moment = (run.finished_at if run and run.finished_at else None) or timezone.now()
    return moment.year - 1


def cached_sirene(*, basin: Basin) -> tuple[dict, dict, ImportRun | None, int]:
    """One basin's SIRENE aggregates and France's, cached per SIRENE import.

    Key: id and finished_at of the latest successful SIRENE ImportRun.
    """
    run = latest_run(kind=ImportKind.SIRENE)
    last_year = _last_complete_year(run)
    basin_key = _cache_key(run, "basin", basin.pk)
    national_key = _cache_key(run, "national")
    found = cache.get_many([basin_key, national_key])
    if basin_key in found and national_key in found:
        return found[basin_key], found[national_key], run, last_year
    per_basin, national = sirene_aggregates(basin_ids=[basin.pk], last_year=last_year)
    cache.set_many(
        {basin_key: per_basin[basin.pk], national_key: national}, CACHE_TIMEOUT
    )
    return per_basin[basin.pk], national, run, last_year


def warm_sirene_cache() -> int:
    """Compute every basin in one pass and cache it; returns the basin count.

    Meant to run right after a SIRENE import, so that no page pays the cost.
    """
    run = latest_run(kind=ImportKind.SIRENE)
    per_basin, national = sirene_aggregates(last_year=_last_complete_year(run))
    basin_ids = list(Basin.objects.values_list("pk", flat=True))
    entries = {
        _cache_key(run, "basin", pk): per_basin.get(pk, _empty_basin())
        for pk in basin_ids
    }
    entries[_cache_key(run, "national")] = national
    cache.set_many(entries, CACHE_TIMEOUT)
    return len(basin_ids)


# --- Other sources (one basin) -------------------------------------------------


def _sources(run_ids) -> dict[int, ImportRun]:
    ids = {pk for pk in run_ids if pk is not None}
    if not ids:
        return {}
    return {run.pk: run for run in ImportRun.objects.filter(pk__in=ids)}


def unemployment_series(*, basin: Basin) -> dict:
    """Quarterly unemployment rate of a basin and the mean of all basins.

    The INSEE file has no France line; the comparison series is the simple
    (unweighted) mean of the zones d'emploi imported, labelled as such.
    """
    rows = list(
        UnemploymentRate.objects.filter(basin=basin)
        .order_by("period_start")
        .values("quarter", "period_start", "rate", "import_run_id")
    )
    average = {}
    if rows:
        average = dict(
            UnemploymentRate.objects.values_list("quarter")
            .annotate(mean=Avg("rate"))
            .order_by()
        )
    return {
        "points": [
            {
                "quarter": row["quarter"],
                "rate": float(row["rate"]),
                "average": float(average[row["quarter"]])
                if row["quarter"] in average
                else None,
            }
            for row in rows
        ],
        "run_ids": {row["import_run_id"] for row in rows},
    }


def population_series(*, basin: Basin) -> dict:
    """Population of a basin at each census year."""
    rows = list(
        PopulationCount.objects.filter(basin=basin)
        .order_by("year")
        .values("year", "population", "import_run_id")
    )
    return {
        "points": [{"year": r["year"], "population": r["population"]} for r in rows],
        "run_ids": {row["import_run_id"] for row in rows},
    }


def hiring_by_family(*, basin: Basin) -> dict:
    """BMO hiring projects of the latest year, by occupation family."""
    year = (
        HiringProjects.objects.filter(basin=basin)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    if year is None:
        return {"year": None, "families": [], "run_ids": set()}
    rows = (
        HiringProjects.objects.filter(basin=basin, year=year)
        .values("family_code", "family_label")
        .annotate(
            projects=Sum("projects"),
            difficult=Sum("difficult"),
            seasonal=Sum("seasonal"),
            confidential=Count("pk", filter=Q(confidential=True)),
            occupations=Count("pk"),
        )
        .order_by("-projects", "family_code")
    )
    families = [
        {
            "code": row["family_code"],
            "label": row["family_label"] or row["family_code"] or "Non classé",
            "projects": row["projects"],
            "difficult": row["difficult"],
            "seasonal": row["seasonal"],
            "difficulty_rate": metrics.difficulty_rate(
                projects=row["projects"], difficult=row["difficult"]
            ),
            "confidential": bool(row["confidential"]),
        }
        for row in rows
    ]
    run_ids = set(
        HiringProjects.objects.filter(basin=basin, year=year)
        .values_list("import_run_id", flat=True)
        .distinct()
        .order_by()
    )
    return {"year": year, "families": families, "run_ids": run_ids}


# --- The diagnostic of one basin ----------------------------------------------------


@dataclass
class Source:
    """Where a block's figures come from."""

    runs: list[ImportRun]

    @property
    def imported(self) -> bool:
        return bool(self.runs)


@dataclass
class BasinDiagnostic:
    """Everything the diagnostic page and its summary include display."""

    basin: Basin
    sirene_source: Source
    last_year: int
    establishments: int
    employees: float
    sections: list[metrics.SectorIndicator]
    divisions: list[metrics.SectorIndicator]
    subclasses: list[metrics.SectorIndicator]
    specialisations: list[metrics.SectorIndicator]
    size_structure: list[tuple]
    largest: list[dict]
    dependence_5: float | None
    dependence_10: float | None
    cohorts: list[metrics.CohortSurvival]
    unemployment: list[dict]
    unemployment_source: Source
    population: list[dict]
    population_source: Source
    hiring_year: int | None
    hiring: list[dict]
    hiring_source: Source
    hiring_totals: dict = field(default_factory=dict)

    @property
    def has_establishments(self) -> bool:
        return self.establishments > 0

    @cached_property
    def figures(self) -> dict[str, str]:
        """Plotly figures as JSON strings, keyed by block."""
        return charts.diagnostic_figures(self)

    @property
    def dom_prefix(self) -> str:
        return f"diag-{self.basin.code}"


def basin_diagnostic(*, basin: Basin) -> BasinDiagnostic:
    """The full diagnostic of one basin, each block with its source imports.

    SIRENE aggregates come from the cache (see :func:`cached_sirene`); the
    query count does not depend on the number of establishments.
    """
    data, national, sirene_run, last_year = cached_sirene(basin=basin)
    unemployment = unemployment_series(basin=basin)
    population = population_series(basin=basin)
    hiring = hiring_by_family(basin=basin)
    runs = _sources(unemployment["run_ids"] | population["run_ids"] | hiring["run_ids"])

    def source(run_ids) -> Source:
        found = [runs[pk] for pk in run_ids if pk in runs]
        return Source(sorted(found, key=lambda run: run.finished_at or run.created_at))

    sections = metrics.sector_indicators(
        local=data["sections"], national=national["sections"]
    )
    divisions = metrics.sector_indicators(
        local=data["divisions"], national=national["divisions"]
    )
    subclasses = metrics.sector_indicators(
        local=data["subclasses"], national=national["subclasses"]
    )
    specialisations = metrics.top_specialisations(divisions)
    sections, divisions, subclasses, specialisations = _with_labels(
        sections, divisions[:TOP_ROWS], subclasses[:TOP_ROWS], specialisations
    )
    establishments = sum(count for count, _employees in data["bands"].values())
    employees = sum(employees for _count, employees in data["bands"].values())
    largest_employees = [row["employees"] for row in data["largest"]]
    projects = [f["projects"] for f in hiring["families"] if f["projects"] is not None]
    difficult = [
        f["difficult"] for f in hiring["families"] if f["difficult"] is not None
    ]
    return BasinDiagnostic(
        basin=basin,
        sirene_source=Source([sirene_run] if sirene_run and establishments else []),
        last_year=last_year,
        establishments=establishments,
        employees=employees,
        sections=sections,
        divisions=divisions,
        subclasses=subclasses,
        specialisations=specialisations,
        size_structure=metrics.size_structure(data["bands"]),
        largest=data["largest"],
        dependence_5=metrics.dependence(largest_employees, total=employees, top=5),
        dependence_10=metrics.dependence(largest_employees, total=employees, top=10),
        cohorts=metrics.creations_and_survival(
            data["cohorts"], last_year=last_year, years=COHORT_YEARS
        ),
        unemployment=unemployment["points"],
        unemployment_source=source(unemployment["run_ids"]),
        population=population["points"],
        population_source=source(population["run_ids"]),
        hiring_year=hiring["year"],
        hiring=hiring["families"],
        hiring_source=source(hiring["run_ids"]),
        hiring_totals={
            "projects": sum(projects),
            "difficult": sum(difficult),
            "difficulty_rate": metrics.difficulty_rate(
                projects=sum(projects), difficult=sum(difficult)
            ),
        },
    )


def _with_labels(sections, divisions, subclasses, specialisations):
    """Name the NAF codes shown: three small queries on the NAF tables."""
    section_labels = {
        code: label.capitalize()
        for code, label in NafSection.objects.filter(
            code__in=[i.code for i in sections]
        ).values_list("code", "label")
    }
    division_labels = dict(
        NafDivision.objects.filter(
            code__in={i.code for i in divisions + specialisations}
        ).values_list("code", "label")
    )
    subclass_labels = dict(
        NafSubclass.objects.filter(code__in=[i.code for i in subclasses]).values_list(
            "code", "label"
        )
    )

    def named(indicators, labels):
        return [replace(i, label=labels.get(i.code, i.code)) for i in indicators]

    return (
        named(sections, section_labels),
        named(divisions, division_labels),
        named(subclasses, subclass_labels),
        named(specialisations, division_labels),
    )
