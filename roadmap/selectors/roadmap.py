"""Reads that span the roadmap's models: overview, coherence, review panel."""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db.models import (
    Count,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Subquery,
)
from django.db.models.functions import Coalesce

from basins.models import Basin
from roadmap import charts
from roadmap.coherence import AxisFacts, CoherenceFacts, Gap, IndicatorFacts, find_gaps
from roadmap.enums import StageStatus
from roadmap.exports import Table, item_tables
from roadmap.models import (
    AuditEvent,
    Axis,
    Indicator,
    LocalActor,
    Measurement,
    Risk,
    Roadmap,
    Skill,
    Stage,
)


def _count(queryset) -> Coalesce:
    """A correlated COUNT(*) subquery over ``queryset`` (no GROUP BY)."""
    counted = (
        queryset.order_by()
        .annotate(total=Func(F("pk"), function="COUNT"))
        .values("total")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def coherence_facts(*, roadmap: Roadmap) -> CoherenceFacts:
    """What the coherence check needs, in three queries whatever the size."""
    axes = (
        Axis.objects.filter(stage__roadmap=roadmap)
        .annotate(
            training_count=Count("training_actions", distinct=True),
            investment_count=Count("investment_projects", distinct=True),
        )
        .order_by("priority", "title", "pk")
        .values_list("title", "training_count", "investment_count")
    )
    indicators = (
        Indicator.objects.filter(stage__roadmap=roadmap)
        .annotate(last_measured_on=Max("measurements__measured_on"))
        .order_by("pk")
        .values_list("name", "target", "target_date", "last_measured_on")
    )
    counts = (
        Roadmap.objects.filter(pk=roadmap.pk)
        .annotate(
            skill_count=_count(Skill.objects.filter(stage__roadmap=OuterRef("pk"))),
            actor_count=_count(
                LocalActor.objects.filter(stage__roadmap=OuterRef("pk"))
            ),
        )
        .values("skill_count", "actor_count")
        .get()
    )
    return CoherenceFacts(
        axes=[AxisFacts(*row) for row in axes],
        indicators=[
            IndicatorFacts(
                name=name,
                has_target=target is not None and target_date is not None,
                last_measured_on=last,
            )
            for name, target, target_date, last in indicators
        ],
        skill_count=counts["skill_count"],
        actor_count=counts["actor_count"],
    )


# --- Per-roadmap cache ----------------------------------------------------------

# Entries are keyed on roadmap_stamp(), which changes with every write; the
# timeout only bounds how long an unused entry holds memory.
CACHE_TIMEOUT = 60 * 60


def roadmap_stamp(*, roadmap: Roadmap) -> str:
    """What changes with every write on the roadmap, in one query.

    Every write on a roadmap records an AuditEvent (roadmap.services,
    workflow, pins): the latest event (id and date) and the number of events
    change with each one. The roadmap's creation date keeps two roadmaps
    apart when a database reuses ids (SQLite after a rollback).
    """
    events = AuditEvent.objects.filter(roadmap=roadmap).aggregate(
        last=Max("pk"), at=Max("created_at"), count=Count("pk")
    )
    at = events["at"].isoformat() if events["at"] else ""
    created = roadmap.created_at.isoformat() if roadmap.created_at else ""
    return f"{roadmap.pk}:{created}:{events['last']}:{events['count']}:{at}"


def _cached(*, roadmap: Roadmap, name: str, compute, stamp: str | None = None):
    """``compute()``, cached under the roadmap's stamp (read unless given)."""
    key = f"roadmap:{name}:{stamp or roadmap_stamp(roadmap=roadmap)}"
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_TIMEOUT)
    return value


def stage_progress(*, roadmap: Roadmap, stamp: str | None = None) -> dict[int, int]:
    """{stage pk: progress (0-100)} of the roadmap's stages, cached under
    roadmap_stamp() (Stage.with_progress is a big query to build and run)."""
    return _cached(
        roadmap=roadmap,
        stamp=stamp,
        name="progress",
        compute=lambda: dict(
            Stage.objects.filter(roadmap=roadmap)
            .with_progress()
            .order_by()
            .values_list("pk", "progress")
        ),
    )


def stages_with_progress(
    *, roadmap: Roadmap, stages=None, stamp: str | None = None
) -> list[Stage]:
    """The roadmap's stages (or the given queryset of them), each with
    ``progress`` as Stage.with_progress() annotates it, from the cache.

    The roadmap's own stages are cached too, under the stamp: every change
    of a stage (summary, transition) records an event.
    """
    stamp = stamp or roadmap_stamp(roadmap=roadmap)
    progress = stage_progress(roadmap=roadmap, stamp=stamp)
    if stages is None:
        rows = _cached(
            roadmap=roadmap,
            stamp=stamp,
            name="stages",
            compute=lambda: list(
                Stage.objects.filter(roadmap_id=roadmap.pk).order_by("number")
            ),
        )
    else:
        rows = list(stages)
    for stage in rows:
        stage.progress = progress.get(stage.pk, 0)
        if stage.roadmap_id == roadmap.pk:
            stage.roadmap = roadmap
    return rows


def cached_coherence_facts(
    *, roadmap: Roadmap, stamp: str | None = None
) -> CoherenceFacts:
    """coherence_facts(), cached under roadmap_stamp(): for the pages; a
    submission checks the gaps on fresh facts (workflow.transition_stage)."""
    return _cached(
        roadmap=roadmap,
        stamp=stamp,
        name="coherence",
        compute=lambda: coherence_facts(roadmap=roadmap),
    )


def review_roles(*, user: AbstractBaseUser, basin: Basin) -> dict[str, bool]:
    """Whether the user may submit (lead) or review (prefecture, admin) the
    basin's stages, in one query."""
    if not user.is_authenticated or not user.is_active:
        return {"can_submit": False, "can_review": False}
    flags = (
        Basin.objects.filter(pk=basin.pk)
        .annotate(
            led=Exists(Basin.objects.led_by(user).filter(pk=OuterRef("pk"))),
            reviewed=Exists(
                Basin.objects.reviewable_by(user).filter(pk=OuterRef("pk"))
            ),
        )
        .values("led", "reviewed")
        .get()
    )
    return {
        "can_submit": flags["led"],
        "can_review": flags["reviewed"] or user.is_superuser,
    }


# --- Overview ---------------------------------------------------------------

# DSFR badge of each status; the badge always carries the status in words.
STATUS_BADGES = {
    StageStatus.DRAFT: "fr-badge--new",
    StageStatus.SUBMITTED: "fr-badge--info",
    StageStatus.VALIDATED: "fr-badge--success",
    StageStatus.RETURNED: "fr-badge--warning",
}


@dataclass
class IndicatorChart:
    indicator: Indicator
    figure_id: str
    # None when there is nothing to draw: no dated target, no measurement.
    figure: str | None
    summary: str
    measurements: list[Measurement]


@dataclass
class Overview:
    roadmap: Roadmap
    stages: list[Stage]
    progress: int
    progress_figure: str
    progress_summary: str
    risks: list[Risk]
    charts: list[IndicatorChart]
    gaps: list[Gap]


def overview_stages(*, roadmap: Roadmap, stamp: str | None = None) -> list[Stage]:
    """The six stages with ``progress``, ``last_change`` and ``badge_class``."""
    last_event = (
        AuditEvent.objects.filter(stage=OuterRef("pk"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    stages = stages_with_progress(
        roadmap=roadmap,
        stamp=stamp,
        stages=Stage.objects.filter(roadmap=roadmap)
        .annotate(last_event_at=Subquery(last_event))
        .order_by("number"),
    )
    for stage in stages:
        stage.last_change = max(
            filter(None, (stage.last_event_at, stage.updated_at)), default=None
        )
        stage.badge_class = STATUS_BADGES.get(stage.status, "")
    return stages


def roadmap_overview(
    *, roadmap: Roadmap, today: date, stamp: str | None = None
) -> Overview:
    """Everything the overview page shows, in a fixed number of queries."""
    stamp = stamp or roadmap_stamp(roadmap=roadmap)
    stages = overview_stages(roadmap=roadmap, stamp=stamp)
    risks = list(roadmap.risks.select_related("owner"))
    indicators = Indicator.objects.filter(stage__roadmap=roadmap).prefetch_related(
        Prefetch(
            "measurements",
            queryset=Measurement.objects.order_by("measured_on", "pk"),
        )
    )
    baseline_date = date(roadmap.period_start, 1, 1)
    indicator_charts = []
    for indicator in indicators.order_by("pk"):
        rows = list(indicator.measurements.all())
        measurements = [(row.measured_on, row.value) for row in rows]
        data = {
            "name": indicator.name,
            "unit": indicator.unit,
            "baseline": indicator.baseline,
            "target": indicator.target,
            "target_date": indicator.target_date,
            "measurements": measurements,
        }
        indicator_charts.append(
            IndicatorChart(
                indicator=indicator,
                figure_id=f"indicator-figure-{indicator.pk}",
                figure=(
                    charts.indicator_figure(**data, baseline_date=baseline_date)
                    if rows or (indicator.target is not None and indicator.target_date)
                    else None
                ),
                summary=charts.indicator_summary(**data),
                measurements=rows,
            )
        )
    progress_rows = [
        {
            "label": f"{stage.number}. {stage.get_number_display()}",
            "progress": stage.progress,
            "status": stage.status,
            "status_label": stage.get_status_display(),
        }
        for stage in stages
    ]
    return Overview(
        roadmap=roadmap,
        stages=stages,
        progress=(
            round(sum(stage.progress or 0 for stage in stages) / len(stages))
            if stages
            else 0
        ),
        progress_figure=charts.stage_progress_figure(stages=progress_rows),
        progress_summary=charts.stage_progress_summary(stages=progress_rows),
        risks=risks,
        charts=indicator_charts,
        gaps=find_gaps(
            facts=cached_coherence_facts(roadmap=roadmap, stamp=stamp), today=today
        ),
    )


# --- Printable document -------------------------------------------------------


@dataclass
class PrintedStage:
    stage: Stage
    tables: list[Table]


@dataclass
class PrintDocument:
    roadmap: Roadmap
    stages: list[PrintedStage]
    risks: Table | None
    gaps: list[Gap]
    printed_on: date


def roadmap_print(*, roadmap: Roadmap, today: date) -> PrintDocument:
    """The six stages with every item table, the risks and the gaps, for the
    printable page; a fixed number of queries (one per table)."""
    stamp = roadmap_stamp(roadmap=roadmap)
    by_stage = {}
    risks = None
    for table in item_tables(roadmap=roadmap):
        if table.stage_number is None:
            risks = table
        else:
            by_stage.setdefault(table.stage_number, []).append(table)
    return PrintDocument(
        roadmap=roadmap,
        stages=[
            PrintedStage(stage=stage, tables=by_stage.get(stage.number, []))
            for stage in overview_stages(roadmap=roadmap, stamp=stamp)
        ],
        risks=risks,
        gaps=find_gaps(
            facts=cached_coherence_facts(roadmap=roadmap, stamp=stamp), today=today
        ),
        printed_on=today,
    )
