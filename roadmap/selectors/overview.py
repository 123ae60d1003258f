"""The overview page and the printable document of a roadmap."""

from dataclasses import dataclass
from datetime import date
from functools import cached_property

from django.db.models import OuterRef, Prefetch, Subquery

from roadmap import charts
from roadmap.coherence import Gap, find_gaps
from roadmap.exports import Table, item_tables
from roadmap.formatting import STATUS_BADGES
from roadmap.models import (
    AuditEvent,
    Indicator,
    Measurement,
    PinnedFigure,
    Risk,
    Roadmap,
    Stage,
)
from roadmap.selectors.roadmap import (
    cached_coherence_facts,
    roadmap_stamp,
    stages_with_progress,
)

# --- Overview ---------------------------------------------------------------


@dataclass
class IndicatorChart:
    indicator: Indicator
    figure_id: str
    # None when there is nothing to draw: no dated target, no measurement.
    figure: str | None
    summary: str
    measurements: list[Measurement]


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


@dataclass
class Overview:
    """Everything the overview page shows, each member read when used (the
    page's body is cached under the stamp and the day): a fixed number of
    queries whatever the roadmap's size."""

    roadmap: Roadmap
    today: date

    @cached_property
    def stamp(self) -> str:
        return roadmap_stamp(roadmap=self.roadmap)

    @cached_property
    def stages(self) -> list[Stage]:
        return overview_stages(roadmap=self.roadmap, stamp=self.stamp)

    @property
    def progress(self) -> int:
        stages = self.stages
        if not stages:
            return 0
        return round(sum(stage.progress or 0 for stage in stages) / len(stages))

    @cached_property
    def _progress_rows(self):
        return [
            {
                "label": f"{stage.number}. {stage.get_number_display()}",
                "progress": stage.progress,
                "status": stage.status,
                "status_label": stage.get_status_display(),
            }
            for stage in self.stages
        ]

    @property
    def progress_figure(self) -> str:
        return charts.stage_progress_figure(stages=self._progress_rows)

    @property
    def progress_summary(self) -> str:
        return charts.stage_progress_summary(stages=self._progress_rows)

    @cached_property
    def risks(self) -> list[Risk]:
        return list(self.roadmap.risks.select_related("owner"))

    @cached_property
    def charts(self) -> list[IndicatorChart]:
        return indicator_charts(roadmap=self.roadmap)

    @cached_property
    def gaps(self) -> list[Gap]:
        facts = cached_coherence_facts(roadmap=self.roadmap, stamp=self.stamp)
        return find_gaps(facts=facts, today=self.today)


def indicator_charts(*, roadmap: Roadmap) -> list[IndicatorChart]:
    """Each indicator against its target, with its measurements (2 queries)."""
    indicators = Indicator.objects.filter(stage__roadmap=roadmap).prefetch_related(
        Prefetch(
            "measurements",
            queryset=Measurement.objects.order_by("measured_on", "pk"),
        )
    )
    baseline_date = date(roadmap.period_start, 1, 1)
    found = []
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
        found.append(
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
    return found


def roadmap_overview(*, roadmap: Roadmap, today: date) -> Overview:
    """The overview page of ``roadmap`` as of ``today`` (lazy)."""
    return Overview(roadmap=roadmap, today=today)


# --- Printable document -------------------------------------------------------


@dataclass
class PrintedStage:
    stage: Stage
    tables: list[Table]
    # Stage 1: the figures pinned to the shared diagnostic.
    pins: list[PinnedFigure]


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
    pins = list(
        PinnedFigure.objects.filter(stage__roadmap=roadmap)
        .select_related("pinned_by")
        .order_by("created_at", "pk")
    )
    return PrintDocument(
        roadmap=roadmap,
        stages=[
            PrintedStage(
                stage=stage,
                tables=by_stage.get(stage.number, []),
                pins=[pin for pin in pins if pin.stage_id == stage.pk],
            )
            for stage in overview_stages(roadmap=roadmap, stamp=stamp)
        ],
        risks=risks,
        gaps=find_gaps(
            facts=cached_coherence_facts(roadmap=roadmap, stamp=stamp), today=today
        ),
        printed_on=today,
    )
