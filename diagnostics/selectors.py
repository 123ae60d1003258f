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

Provenance: every row remembers the import that last wrote it (an unchanged
row keeps its import through a re-import), so each block names the imports
its rows actually come from, with the number of rows of each, rather than
the newest file.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
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
    Max,
    Q,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import ExtractYear, RowNumber
from django.utils import formats, timezone

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

CACHE_VERSION = 2
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


def latest_runs() -> dict[str, ImportRun]:
    """The latest successful, real import of each kind of data, in one query."""
    latest: dict[str, ImportRun] = {}
    for run in ImportRun.objects.filter(
        status=ImportStatus.SUCCEEDED, dry_run=False
    ).order_by("kind", "-finished_at", "-pk"):
        latest.setdefault(run.kind, run)
    return latest


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
        "runs": {},
        "cohorts": {},
        "largest": [],
    }


def sirene_aggregates(
    *, basin_ids: list[int] | None = None, last_year: int | None = None
) -> tuple[dict[int, dict], dict[str, dict]]:
    """Active establishments and estimated employees of every basin.

    Returns ``(per_basin, national)``. ``per_basin[basin_id]`` holds, as plain
    dicts: ``sections``, ``divisions``, ``subclasses`` (NAF rév. 2) mapping a
    code to ``(establishments, employees, employees of the largest
    establishment)``; ``bands`` (headcount band -> ``(establishments,
    employees)``); ``runs`` (import id -> active establishments it wrote);
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

    sector_rows = _sector_rows(scoped, "basin_id")
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
        .values("basin_id", "headcount_band", "import_run_id")
        .annotate(establishments=Count("pk"), employees=Sum(employees_expression()))
        .order_by()
    )
    for row in band_rows:
        data = per_basin[row["basin_id"]]
        count, employees = data["bands"].get(row["headcount_band"], (0, 0.0))
        data["bands"][row["headcount_band"]] = (
            count + row["establishments"],
            employees + float(row["employees"] or 0),
        )
        runs = data["runs"]
        runs[row["import_run_id"]] = (
            runs.get(row["import_run_id"], 0) + row["establishments"]
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


def _sector_rows(scoped, *keys):
    """(*keys, section, division, sub-class, establishments, employees, top
    band) per group of ``scoped`` establishments."""
    columns = (*keys, "naf_section", "naf_division", "naf_code")
    return (
        scoped.values(*columns)
        .annotate(
            establishments=Count("pk"),
            employees=Sum(employees_expression()),
            top_band=_top_band(),
        )
        .order_by()
        .values_list(*columns, "establishments", "employees", "top_band")
    )


def _top_band():
    """The largest headcount band of a group (band codes sort by size once
    "NN" is left out): every establishment of a band counts its middle, so
    this gives the estimated employees of the group's largest establishment."""
    return Max("headcount_band", filter=~Q(headcount_band="NN"))


def _sector_sums(rows) -> dict:
    """Roll (basin, section, division, sub-class, count, employees, top band)
    rows up.

    Returns ``basin_id -> (sections, divisions, subclasses)``, each a dict of
    ``code -> [establishments, employees, largest]``. Blank codes (old
    nomenclatures, non-diffusible activity) are left out of that level only.
    """
    sums: dict = {}
    middle = metrics.BAND_MIDPOINTS.get
    # Unrolled: this loop sees a row per basin and sub-class (~120,000).
    for basin_id, section, division, code, count, employees, band in rows:
        levels = sums.get(basin_id)
        if levels is None:
            levels = sums[basin_id] = ({}, {}, {})
        employees = float(employees or 0)
        largest = middle(band or "", 0.0)
        if section:
            _accumulate(levels[0], section, count, employees, largest)
        if division:
            _accumulate(levels[1], division, count, employees, largest)
        if code:
            _accumulate(levels[2], code, count, employees, largest)
    return sums


def _accumulate(
    bucket: dict, key: str, count: int, employees: float, largest: float
) -> None:
    entry = bucket.get(key)
    if entry is None:
        bucket[key] = [count, employees, largest]
    else:
        entry[0] += count
        entry[1] += employees
        if largest > entry[2]:
            entry[2] = largest


def _merge_levels(all_levels) -> dict[str, dict[str, tuple[int, float, float]]]:
    merged: tuple[dict, dict, dict] = ({}, {}, {})
    for levels in all_levels:
        for total, bucket in zip(merged, levels, strict=True):
            for key, (count, employees, largest) in bucket.items():
                _accumulate(total, key, count, employees, largest)
    return _frozen(merged)


def _frozen(levels) -> dict[str, dict[str, tuple[int, float, float]]]:
    return {
        level: {key: tuple(value) for key, value in bucket.items()}
        for level, bucket in zip(LEVELS, levels, strict=True)
    }


def national_sector_totals() -> dict[str, dict[str, tuple[int, float, float]]]:
    """France-wide establishments and employees by NAF section/division/sub-class.

    The same query as the per-basin one, without the basin.
    """
    rows = _sector_rows(Establishment.objects.filter(is_active=True))
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


_NO_RUN = object()


def cached_sirene(
    *, basin: Basin, run=_NO_RUN
) -> tuple[dict, dict, ImportRun | None, int]:
    """One basin's SIRENE aggregates and France's, cached per SIRENE import.

    Key: id and finished_at of the latest successful SIRENE ImportRun
    (``run``, read here unless given; None when there is none).
    """
    if run is _NO_RUN:
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


def methods_sources() -> list[tuple[str, ImportRun | None]]:
    """Each kind of data the diagnostic reads, with its latest real import."""
    latest = latest_runs()
    kinds = (
        ImportKind.SIRENE,
        ImportKind.UNEMPLOYMENT,
        ImportKind.POPULATION,
        ImportKind.BMO,
    )
    return [(ImportKind(kind).label, latest.get(kind)) for kind in kinds]


# --- Other sources (one basin) -------------------------------------------------


def _runs_by_id(run_ids) -> dict[int, ImportRun]:
    ids = {pk for pk in run_ids if pk is not None}
    if not ids:
        return {}
    return {run.pk: run for run in ImportRun.objects.filter(pk__in=ids)}


def unemployment_series(*, basin: Basin) -> dict:
    """Quarterly unemployment rate of a basin and the mean of all basins.

    The INSEE file has no France line; the comparison series is the simple
    (unweighted) mean of the zones d'emploi imported, labelled as such.
    ``run_rows``: import id -> values of the basin it wrote.
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
        "run_rows": Counter(row["import_run_id"] for row in rows),
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
        "run_rows": Counter(row["import_run_id"] for row in rows),
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
        return {"year": None, "families": [], "run_rows": Counter()}
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
    run_rows = Counter(
        dict(
            HiringProjects.objects.filter(basin=basin, year=year)
            .values_list("import_run_id")
            .annotate(occupations=Count("pk"))
            .order_by()
        )
    )
    return {"year": year, "families": families, "run_rows": run_rows}


# --- The diagnostic of one basin ----------------------------------------------------


@dataclass(frozen=True)
class SourceRun:
    """One import behind a block, and how many of the block's rows it wrote."""

    run: ImportRun
    rows: int


@dataclass
class Source:
    """Where a block's figures come from: the imports that wrote its rows.

    ``unknown_rows``: rows loaded without any import (none in normal use).
    ``newer``: a later successful import of the same kind that wrote none of
    these rows (an unchanged re-import): the figures still come from
    ``entries``, and the page says so.
    """

    entries: list[SourceRun] = field(default_factory=list)
    unit: str = "lignes"
    unknown_rows: int = 0
    newer: ImportRun | None = None

    @property
    def runs(self) -> list[ImportRun]:
        return [entry.run for entry in self.entries]

    @property
    def imported(self) -> bool:
        return bool(self.entries)

    @property
    def rows(self) -> int:
        return sum(entry.rows for entry in self.entries) + self.unknown_rows

    @property
    def generated(self) -> bool:
        """Do any of these figures come from generated (demo) data?"""
        return any(entry.run.generated for entry in self.entries)

    @property
    def text(self) -> str:
        """The source as one French sentence, for pinned figures and exports.

        Names each import by number ("import n° 12"), which the pages turn
        into a link to the import's page.
        """
        parts = [_entry_text(entry, self.unit) for entry in self.entries]
        if self.unknown_rows:
            parts.append(f"{_count(self.unknown_rows)} {self.unit} sans trace d'import")
        text = " ; ".join(parts)
        if self.newer is not None:
            text += (
                f" (l'import n° {self.newer.pk} du {_day(self.newer)} n'a modifié "
                "aucune de ces lignes)"
            )
        if self.generated:
            text = f"{GENERATED_LABEL} — {text}"
        return text


GENERATED_LABEL = "Données de démonstration (générées)"


def _day(run: ImportRun) -> str:
    moment = run.finished_at or run.created_at
    return formats.date_format(timezone.localtime(moment), "d/m/Y")


def _count(value: int) -> str:
    return formats.number_format(value, 0, force_grouping=True)


def _entry_text(entry: SourceRun, unit: str) -> str:
    run = entry.run
    vintage = run.vintage or "millésime non déclaré"
    return (
        f"{run.producer}, {run.dataset}, {vintage} ; import n° {run.pk} du "
        f"{_day(run)} (fichier « {run.file_name} ») ; {_count(entry.rows)} {unit}"
    )


def _source(
    run_rows: Mapping, runs: dict[int, ImportRun], *, unit: str, latest
) -> Source:
    """The Source of rows counted per import id (None: rows without import)."""
    entries = sorted(
        (SourceRun(runs[pk], count) for pk, count in run_rows.items() if pk in runs),
        key=lambda entry: (entry.run.finished_at or entry.run.created_at, entry.run.pk),
    )
    unknown = sum(count for pk, count in run_rows.items() if pk not in runs)
    newer = None
    if entries and latest is not None and latest.pk not in run_rows:
        newest = entries[-1].run
        if (latest.finished_at or latest.created_at) >= (
            newest.finished_at or newest.created_at
        ):
            newer = latest
    return Source(entries, unit=unit, unknown_rows=unknown, newer=newer)


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
    size_structure: list[metrics.SizeClass]
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
    # Establishments with at least one employee, and France's reference.
    employers: int = 0
    national_establishments: int = 0
    national_employees: float = 0.0

    @property
    def has_establishments(self) -> bool:
        return self.establishments > 0

    @property
    def generated(self) -> bool:
        """Does any block rest on generated (demo) data?"""
        return any(
            source.generated
            for source in (
                self.sirene_source,
                self.unemployment_source,
                self.population_source,
                self.hiring_source,
            )
        )

    @property
    def rules(self) -> dict:
        return metrics.rules()

    @property
    def dependence_5_caution(self) -> str:
        return metrics.dependence_caution(employers=self.employers, top=5)

    @property
    def dependence_10_caution(self) -> str:
        return metrics.dependence_caution(employers=self.employers, top=10)

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
    latest = latest_runs()
    data, national, _run, last_year = cached_sirene(
        basin=basin, run=latest.get(ImportKind.SIRENE)
    )
    unemployment = unemployment_series(basin=basin)
    population = population_series(basin=basin)
    hiring = hiring_by_family(basin=basin)
    runs = _runs_by_id(
        [
            *data["runs"],
            *unemployment["run_rows"],
            *population["run_rows"],
            *hiring["run_rows"],
        ]
    )

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
        sirene_source=_source(
            data["runs"],
            runs,
            unit="établissements actifs du bassin",
            latest=latest.get(ImportKind.SIRENE),
        ),
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
        unemployment_source=_source(
            unemployment["run_rows"],
            runs,
            unit="valeurs trimestrielles",
            latest=latest.get(ImportKind.UNEMPLOYMENT),
        ),
        population=population["points"],
        population_source=_source(
            population["run_rows"],
            runs,
            unit="années de recensement",
            latest=latest.get(ImportKind.POPULATION),
        ),
        hiring_year=hiring["year"],
        hiring=hiring["families"],
        hiring_source=_source(
            hiring["run_rows"],
            runs,
            unit="métiers",
            latest=latest.get(ImportKind.BMO),
        ),
        hiring_totals={
            "projects": sum(projects),
            "difficult": sum(difficult),
            "difficulty_rate": metrics.difficulty_rate(
                projects=sum(projects), difficult=sum(difficult)
            ),
        },
        employers=metrics.employers(data["bands"]),
        national_establishments=sum(c for c, *_ in national["sections"].values()),
        national_employees=sum(e for _c, e, *_ in national["sections"].values()),
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
