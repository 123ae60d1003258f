"""Reads of one roadmap: its stamp, its stages with their progress, the facts
of the coherence check; cached under the stamp (roadmap.cache)."""

from django.db.models import (
    Count,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Subquery,
)
from django.db.models.functions import Coalesce

from roadmap import cache
from roadmap.coherence import AxisFacts, CoherenceFacts, IndicatorFacts
from roadmap.models import (
    AuditEvent,
    Axis,
    Indicator,
    LocalActor,
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
    stamp = stamp or roadmap_stamp(roadmap=roadmap)
    return cache.get_or_compute(("roadmap", name, stamp), compute)


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
