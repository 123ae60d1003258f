"""Reads of the prefecture dashboard: stage matrix, indicators, alerts, queue.

Every read covers the basins of :func:`dashboard_basins` (the reviewer's
department or region, every basin for an admin) and runs a fixed number of
queries whatever the number of basins, roadmaps or items: aggregates with
``values()`` + GROUP BY, correlated subqueries for the "last" values, and
Python for the rest.

Caching: every cached value is keyed on :func:`data_stamp` (one query: the
latest AuditEvent id, the number of roadmaps, the alert thresholds, the
basins' departments and the latest finished import) and on the day. Every
write on a roadmap records an AuditEvent (roadmap.services, the generator
too), so any write gives a new stamp and the old entries are never read
again; a new day re-evaluates the date rules (inactivity, waiting times).
The alerts are computed for the whole country at once and filtered by the
user's scope after the cache, so one entry serves every user; the pages
(roadmap.dashboard.pages) cache their bodies under the stamp, the user's
scope (basins.roles.Roles.dashboard_scope) and the query string. What the
stamp does not see (a basin renamed or a commune population changed by a
zones import) shows within roadmap.cache.TIMEOUT (one hour).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone

from basins.models import Basin, Commune, Department
from diagnostics.models import ImportRun, PopulationCount, UnemploymentRate
from roadmap import cache
from roadmap.dashboard import alerts as rules
from roadmap.enums import ActionStatus, IndicatorKind, StageKind, StageStatus
from roadmap.formatting import STATUS_BADGES
from roadmap.models import (
    DEFAULT_CROWDING_OUT_THRESHOLD_PCT,
    AlertThreshold,
    AuditEvent,
    Axis,
    FundingLine,
    Indicator,
    InvestmentProject,
    Measurement,
    Roadmap,
    Stage,
)

PAGE_SIZE = 25
QUEUE_PREVIEW = 5

SORT_LATENESS = "retard"
SORT_NAME = "nom"
SORT_CHOICES = [
    (SORT_LATENESS, "Les plus en retard d'abord"),
    (SORT_NAME, "Nom du bassin"),
]


# --- Scope ----------------------------------------------------------------------


def dashboard_basins(*, user: AbstractBaseUser) -> QuerySet[Basin]:
    """Basins on the user's dashboard: every basin for an admin, those of the
    reviewer's department or region otherwise."""
    if user.is_superuser and user.is_active:
        return Basin.objects.all()
    return Basin.objects.reviewable_by(user)


def department_choices(*, basins: QuerySet[Basin]) -> list[tuple[str, str]]:
    """Departments touched by the basins, for the filter."""
    departments = Department.objects.filter(
        Exists(basins.filter(departments=OuterRef("pk")))
    ).order_by("code")
    return [(department.code, str(department)) for department in departments]


def current_roadmap_subquery(basin_ref: str = "pk") -> Subquery:
    """The basin's current roadmap: the one with the latest period."""
    return Subquery(
        Roadmap.objects.filter(basin=OuterRef(basin_ref))
        .order_by("-period_start", "-pk")
        .values("pk")[:1]
    )


# --- Stage matrix ---------------------------------------------------------------


@dataclass(frozen=True)
class MatrixFilters:
    department: str = ""
    status: str = ""
    waiting: bool = False
    sort: str = SORT_LATENESS


@dataclass
class StageCell:
    stage: Stage
    badge_class: str
    progress: int
    last_change: object


@dataclass
class MatrixRow:
    basin: Basin
    roadmap_id: int | None
    roadmap_title: str
    cells: list[StageCell | None]
    oldest_pending: object
    last_change: object
    waiting_days: int | None
    alert_count: int


@dataclass
class Matrix:
    page: Page
    rows: list[MatrixRow]
    stage_titles: list[tuple[int, str]] = field(
        default_factory=lambda: list(StageKind.choices)
    )


def matrix_basins(*, user: AbstractBaseUser, filters: MatrixFilters) -> QuerySet[Basin]:
    """The user's basins with their current roadmap, filtered and sorted.

    Annotations: ``roadmap_id``, ``roadmap_title``, ``oldest_pending`` (the
    oldest submission still waiting for review) and ``last_change`` (the
    roadmap's latest recorded write). Lateness sorts the oldest pending
    submission first, then the basins that have not changed for longest;
    basins without a roadmap come last.
    """
    current = Roadmap.objects.filter(pk=OuterRef("roadmap_id"))
    pending = Stage.objects.filter(
        roadmap_id=OuterRef("roadmap_id"), status=StageStatus.SUBMITTED
    )
    basins = dashboard_basins(user=user).annotate(
        roadmap_id=current_roadmap_subquery(),
        roadmap_title=Subquery(current.order_by().values("title")),
        oldest_pending=Subquery(
            pending.order_by("submitted_at").values("submitted_at")[:1]
        ),
        last_change=Subquery(
            AuditEvent.objects.filter(roadmap_id=OuterRef("roadmap_id"))
            .order_by("-created_at")
            .values("created_at")[:1]
        ),
    )
    if filters.department:
        basins = basins.filter(
            Exists(
                Department.objects.filter(
                    code=filters.department, basins=OuterRef("pk")
                )
            )
        )
    if filters.status:
        basins = basins.filter(
            Exists(
                Stage.objects.filter(
                    roadmap_id=OuterRef("roadmap_id"), status=filters.status
                )
            )
        )
    if filters.waiting:
        basins = basins.filter(Exists(pending))
    if filters.sort == SORT_NAME:
        return basins.order_by("name", "code")
    return basins.order_by(
        F("oldest_pending").asc(nulls_last=True),
        F("last_change").asc(nulls_last=True),
        "name",
        "code",
    )


def matrix_stages(*, roadmap_ids: list[int]) -> dict[int, dict[int, Stage]]:
    """{roadmap id: {number: stage}} with progress and last change, one query."""
    last_event = (
        AuditEvent.objects.filter(stage=OuterRef("pk"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    stages = (
        Stage.objects.filter(roadmap_id__in=roadmap_ids)
        .with_progress()
        .annotate(last_event_at=Subquery(last_event))
        .order_by("roadmap_id", "number")
    )
    by_roadmap: dict[int, dict[int, Stage]] = defaultdict(dict)
    for stage in stages:
        by_roadmap[stage.roadmap_id][stage.number] = stage
    return by_roadmap


def _cell(stage: Stage | None) -> StageCell | None:
    if stage is None:
        return None
    return StageCell(
        stage=stage,
        badge_class=STATUS_BADGES.get(stage.status, ""),
        progress=int(stage.progress or 0),
        last_change=max(
            filter(None, (stage.last_event_at, stage.updated_at)), default=None
        ),
    )


def build_rows(
    *, basins: list[Basin], alert_counts: dict[int, int], today: date
) -> list[MatrixRow]:
    """Matrix rows of annotated basins (see matrix_basins), stages included."""
    roadmap_ids = [basin.roadmap_id for basin in basins if basin.roadmap_id]
    stages = matrix_stages(roadmap_ids=roadmap_ids)
    rows = []
    for basin in basins:
        by_number = stages.get(basin.roadmap_id, {})
        rows.append(
            MatrixRow(
                basin=basin,
                roadmap_id=basin.roadmap_id,
                roadmap_title=basin.roadmap_title or "",
                cells=[_cell(by_number.get(number)) for number in StageKind.values],
                oldest_pending=basin.oldest_pending,
                last_change=basin.last_change,
                waiting_days=rules.waiting_days(
                    _local(basin.oldest_pending), today=today
                ),
                alert_count=alert_counts.get(basin.pk, 0),
            )
        )
    return rows


def stage_matrix(
    *,
    user: AbstractBaseUser,
    filters: MatrixFilters,
    page_number: str | int | None,
    today: date,
    stamp: str | None = None,
) -> Matrix:
    """One page of the stage matrix (basins x six stages)."""
    basins = matrix_basins(user=user, filters=filters).prefetch_related("departments")
    page = Paginator(basins, PAGE_SIZE).get_page(page_number)
    counts = rules.count_by_basin(national_alerts(today=today, stamp=stamp))
    return Matrix(
        page=page,
        rows=build_rows(
            basins=list(page.object_list), alert_counts=counts, today=today
        ),
    )


@dataclass
class StatusSummary:
    by_status: list[tuple[str, str, int]]
    waiting: int
    basins: int
    basins_without_roadmap: int


def status_summary(*, user: AbstractBaseUser) -> StatusSummary:
    """How many stages of the current roadmaps are in each status (2 queries)."""
    basins = dashboard_basins(user=user).annotate(roadmap_id=current_roadmap_subquery())
    totals = basins.aggregate(
        total=Count("pk"), without=Count("pk", filter=Q(roadmap_id__isnull=True))
    )
    counts = dict(
        Stage.objects.filter(roadmap_id__in=basins.values("roadmap_id"))
        .order_by()
        .values_list("status")
        .annotate(total=Count("pk"))
        .values_list("status", "total")
    )
    return StatusSummary(
        by_status=[
            (status, label, counts.get(status, 0))
            for status, label in StageStatus.choices
        ],
        waiting=counts.get(StageStatus.SUBMITTED, 0),
        basins=totals["total"],
        basins_without_roadmap=totals["without"],
    )


# --- Review queue -----------------------------------------------------------------


@dataclass
class QueueEntry:
    stage: Stage
    waiting_days: int | None


def review_queue(*, user: AbstractBaseUser) -> QuerySet[Stage]:
    """Stages submitted to the user, oldest submission first."""
    return (
        Stage.objects.filter(
            roadmap__basin__in=dashboard_basins(user=user),
            status=StageStatus.SUBMITTED,
        )
        .select_related("roadmap__basin")
        .order_by(F("submitted_at").asc(nulls_last=True), "pk")
    )


def queue_entries(stages, *, today: date) -> list[QueueEntry]:
    return [
        QueueEntry(
            stage=stage,
            waiting_days=rules.waiting_days(_local(stage.submitted_at), today=today),
        )
        for stage in stages
    ]


# --- Alerts ---------------------------------------------------------------------------


STAMP_PARTS = (
    ("MAX(id)", AuditEvent),
    ("COUNT(*)", Roadmap),
    ("MAX(updated_at)", AlertThreshold),
    ("COUNT(*)", AlertThreshold),
    ("MAX(id)", Basin.departments.through),
    ("COUNT(*)", Basin.departments.through),
    ("MAX(finished_at)", ImportRun),
)


def _stamp_sql() -> str:
    columns = ", ".join(
        f"CAST((SELECT {expression} FROM {model._meta.db_table}) AS TEXT)"  # noqa: S608
        for expression, model in STAMP_PARTS
    )
    return f"SELECT 'stamp', {columns}"  # noqa: S608 (table names from models)


def data_stamp() -> str:
    """What every dashboard figure depends on, read in one query.

    - the latest AuditEvent: every write on a roadmap records one (services);
    - the number of roadmaps: a deleted roadmap takes its events with it;
    - the alert thresholds (latest change, count);
    - the basins' departments (an INSEE zones import may move a basin);
    - the latest finished import (unemployment, population).
    """
    with connection.cursor() as cursor:
        cursor.execute(_stamp_sql())
        return "-".join(str(value) for value in cursor.fetchone()[1:])


def national_alerts(*, today: date, stamp: str | None = None) -> list[rules.Alert]:
    """Every alert of every basin's current roadmap, cached under the data
    stamp (see the module docstring)."""
    stamp = stamp or data_stamp()
    return cache.get_or_compute(
        ("alerts", today.isoformat(), stamp), lambda: compute_alerts(today=today)
    )


@dataclass(frozen=True)
class CurrentRoadmap:
    roadmap_id: int
    basin_id: int
    basin_name: str


def current_roadmaps(*, basin_ids=None) -> list[CurrentRoadmap]:
    """The current (latest period) roadmap of each basin, one query."""
    rows = Roadmap.objects.order_by("basin_id", "-period_start", "-pk")
    if basin_ids is not None:
        rows = rows.filter(basin_id__in=basin_ids)
    found = {}
    for pk, basin_id, name in rows.values_list("pk", "basin_id", "basin__name"):
        found.setdefault(basin_id, CurrentRoadmap(pk, basin_id, name))
    return list(found.values())


def compute_alerts(*, today: date) -> list[rules.Alert]:
    """All alerts, from facts read in nine queries whatever the size."""
    roadmaps = current_roadmaps()
    by_id = {roadmap.roadmap_id: roadmap for roadmap in roadmaps}
    ids = list(by_id)

    regions: dict[int, list[tuple[str, str, Decimal]]] = defaultdict(list)
    for basin_id, code, name, threshold in Basin.regions.through.objects.values_list(
        "basin_id",
        "region_id",
        "region__name",
        "region__alert_threshold__crowding_out_threshold_pct",
    ):
        regions[basin_id].append(
            (
                code,
                name,
                DEFAULT_CROWDING_OUT_THRESHOLD_PCT if threshold is None else threshold,
            )
        )

    axis_facts = []
    targets = (
        Axis.naf_divisions.through.objects.filter(axis__stage__roadmap_id__in=ids)
        .values_list("axis__stage__roadmap_id", "nafdivision_id", "nafdivision__label")
        .distinct()
    )
    for roadmap_id, naf_code, naf_label in targets:
        roadmap = by_id[roadmap_id]
        for region_code, region_name, _ in regions.get(roadmap.basin_id, []):
            axis_facts.append(
                rules.AxisFact(
                    region_code=region_code,
                    region_name=region_name,
                    naf_code=naf_code,
                    naf_label=naf_label,
                    basin_id=roadmap.basin_id,
                    basin_name=roadmap.basin_name,
                    roadmap_id=roadmap_id,
                )
            )

    elsewhere = Q(beneficiary_is_local=False) | Q(beneficiary_is_sme=False)
    funding = (
        FundingLine.objects.filter(stage__roadmap_id__in=ids)
        .values("stage__roadmap_id")
        .annotate(
            obtained=Sum("amount_obtained"),
            elsewhere=Sum("amount_obtained", filter=elsewhere),
        )
        .order_by()
    )
    funding_facts = []
    for row in funding:
        roadmap = by_id[row["stage__roadmap_id"]]
        thresholds = [t for _, _, t in regions.get(roadmap.basin_id, [])]
        funding_facts.append(
            rules.FundingFact(
                basin_id=roadmap.basin_id,
                basin_name=roadmap.basin_name,
                roadmap_id=roadmap.roadmap_id,
                obtained=row["obtained"] or Decimal(0),
                obtained_elsewhere=row["elsewhere"] or Decimal(0),
                # A basin across two regions answers to the stricter one.
                threshold_pct=min(
                    thresholds, default=DEFAULT_CROWDING_OUT_THRESHOLD_PCT
                ),
            )
        )

    stage_facts = []
    skills_status = {}
    for roadmap_id, number, status, gaps in Stage.objects.filter(
        roadmap_id__in=ids
    ).values_list("roadmap_id", "number", "status", "submitted_with_gaps"):
        roadmap = by_id[roadmap_id]
        if number == StageKind.SKILLS:
            skills_status[roadmap_id] = status
        stage_facts.append(
            rules.StageFact(
                roadmap.basin_id, roadmap.basin_name, roadmap_id, number, status, gaps
            )
        )

    planned: dict[int, int] = defaultdict(int)
    for model in (InvestmentProject, FundingLine):
        rows = (
            model.objects.filter(stage__roadmap_id__in=ids)
            .exclude(status=ActionStatus.ABANDONED)
            .values("stage__roadmap_id")
            .annotate(total=Count("pk"))
            .order_by()
            .values_list("stage__roadmap_id", "total")
        )
        for roadmap_id, total in rows:
            planned[roadmap_id] += total
    investment_facts = [
        rules.InvestmentFact(
            by_id[roadmap_id].basin_id,
            by_id[roadmap_id].basin_name,
            roadmap_id,
            total,
            skills_status.get(roadmap_id, StageStatus.DRAFT),
        )
        for roadmap_id, total in planned.items()
    ]

    last_changes = dict(
        AuditEvent.objects.filter(roadmap_id__in=ids)
        .values("roadmap_id")
        .annotate(last=Max("created_at"))
        .order_by()
        .values_list("roadmap_id", "last")
    )
    activity_facts = [
        rules.ActivityFact(
            roadmap.basin_id,
            roadmap.basin_name,
            roadmap.roadmap_id,
            _local(last_changes.get(roadmap.roadmap_id)),
        )
        for roadmap in roadmaps
    ]

    indicator_facts = [
        rules.IndicatorFact(
            by_id[roadmap_id].basin_id,
            by_id[roadmap_id].basin_name,
            roadmap_id,
            name,
            last,
        )
        for roadmap_id, name, last in Indicator.objects.filter(
            stage__roadmap_id__in=ids
        )
        .annotate(last=Max("measurements__measured_on"))
        .order_by("stage__roadmap_id", "pk")
        .values_list("stage__roadmap_id", "name", "last")
    ]

    return rules.sort_alerts(
        [
            *rules.competition_alerts(axis_facts),
            *rules.crowding_out_alerts(funding_facts),
            *rules.haste_alerts(stage_facts, investment_facts),
            *rules.inactivity_alerts(activity_facts, today=today),
            *rules.stale_indicator_alerts(indicator_facts, today=today),
        ]
    )


def scoped_alerts(
    *,
    user: AbstractBaseUser,
    today: date,
    kind: str = "",
    basin_code: str = "",
    stamp: str | None = None,
) -> list[rules.Alert]:
    """The alerts of the user's basins, optionally of one kind or basin."""
    basins = dashboard_basins(user=user)
    if basin_code:
        basins = basins.filter(code=basin_code)
    allowed = set(basins.values_list("pk", flat=True))
    return [
        alert
        for alert in national_alerts(today=today, stamp=stamp)
        if alert.basin_id in allowed and (not kind or alert.kind == kind)
    ]


# --- Indicators compared across basins --------------------------------------


@dataclass
class BasinIndicators:
    basin_id: int
    code: str
    name: str
    population: int | None
    population_source: str
    jobs_created: Decimal | None = None
    jobs_target: Decimal | None = None
    jobs_measured_on: date | None = None
    local_purchasing_pct: Decimal | None = None
    unemployment: rules.UnemploymentTrend | None = None
    roadmap_id: int | None = None

    @property
    def jobs_per_thousand(self) -> float | None:
        return rules.per_thousand(self.jobs_created, self.population)

    @property
    def jobs_target_per_thousand(self) -> float | None:
        return rules.per_thousand(self.jobs_target, self.population)

    @property
    def target_reached_pct(self) -> float | None:
        return rules.target_reached_pct(self.jobs_created, self.jobs_target)


def basin_populations(*, basin_ids) -> dict[int, tuple[int, str]]:
    """{basin id: (population, source)}: INSEE's latest count of the zone,
    else the sum of its communes' legal populations (two queries)."""
    found = {}
    counts = (
        PopulationCount.objects.filter(basin_id__in=basin_ids)
        .order_by("basin_id", "-year")
        .values_list("basin_id", "year", "population")
    )
    for basin_id, year, population in counts:
        found.setdefault(basin_id, (population, f"INSEE {year}"))
    communes = (
        Commune.objects.filter(basin_id__in=basin_ids, population__isnull=False)
        .values("basin_id")
        .annotate(total=Sum("population"))
        .order_by()
        .values_list("basin_id", "total")
    )
    for basin_id, total in communes:
        if total:
            found.setdefault(basin_id, (total, "communes"))
    return found


def unemployment_trends(*, basin_ids) -> dict[int, rules.UnemploymentTrend]:
    """Last quarterly unemployment rate and its change over a year (2 queries)."""
    rates = UnemploymentRate.objects.filter(basin_id__in=basin_ids)
    latest = rates.aggregate(last=Max("period_start"))["last"]
    if latest is None:
        return {}
    points: dict[int, list] = defaultdict(list)
    recent = rates.filter(period_start__gte=latest - timedelta(days=400)).values_list(
        "basin_id", "period_start", "quarter", "rate"
    )
    for basin_id, start, quarter, rate in recent:
        points[basin_id].append((start, quarter, rate))
    return {
        basin_id: rules.unemployment_trend(series)
        for basin_id, series in points.items()
    }


def basin_indicators(
    *, user: AbstractBaseUser, department: str = ""
) -> list[BasinIndicators]:
    """Jobs created against target, local purchasing share and unemployment
    trend of each of the user's basins, sorted by name (six queries)."""
    basins = dashboard_basins(user=user)
    if department:
        basins = basins.filter(
            Exists(Department.objects.filter(code=department, basins=OuterRef("pk")))
        )
    basins = list(
        basins.annotate(roadmap_id=current_roadmap_subquery())
        .order_by("name", "code")
        .values_list("pk", "code", "name", "roadmap_id")
    )
    ids = [row[0] for row in basins]
    populations = basin_populations(basin_ids=ids)
    trends = unemployment_trends(basin_ids=ids)
    last = Measurement.objects.filter(indicator=OuterRef("pk")).order_by(
        "-measured_on", "-pk"
    )
    values: dict[tuple[int, str], tuple] = {}
    rows = (
        Indicator.objects.filter(
            stage__roadmap_id__in=[row[3] for row in basins if row[3]],
            kind__in=[IndicatorKind.JOBS_CREATED, IndicatorKind.LOCAL_PURCHASING],
        )
        .annotate(
            last_value=Subquery(last.values("value")[:1]),
            last_on=Subquery(last.values("measured_on")[:1]),
        )
        .order_by("pk")
        .values_list("stage__roadmap_id", "kind", "target", "last_value", "last_on")
    )
    for roadmap_id, kind, target, value, measured_on in rows:
        values.setdefault((roadmap_id, kind), (target, value, measured_on))
    result = []
    for basin_id, code, name, roadmap_id in basins:
        population, source = populations.get(basin_id, (None, ""))
        jobs = values.get((roadmap_id, IndicatorKind.JOBS_CREATED), (None, None, None))
        purchasing = values.get(
            (roadmap_id, IndicatorKind.LOCAL_PURCHASING), (None, None, None)
        )
        result.append(
            BasinIndicators(
                basin_id=basin_id,
                code=code,
                name=name,
                population=population,
                population_source=source,
                jobs_target=jobs[0],
                jobs_created=jobs[1],
                jobs_measured_on=jobs[2],
                local_purchasing_pct=purchasing[1],
                unemployment=trends.get(basin_id),
                roadmap_id=roadmap_id,
            )
        )
    return result


def _local(moment):
    """An aware datetime in local time (dates shown and compared in France)."""
    if moment is None or not hasattr(moment, "tzinfo") or moment.tzinfo is None:
        return moment
    return timezone.localtime(moment)
