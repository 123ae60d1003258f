"""Writes on a roadmap itself: its creation, a stage's summary, comments."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from roadmap.enums import AuditAction, AuthorRole, IndicatorKind, StageKind
from roadmap.models import AuditEvent, Indicator, Roadmap, Stage, StageComment
from roadmap.services.history import build_event, diff, record_event, snapshot
from roadmap.services.items import check_editable, create_item, edit_conflict

SEED_INDICATORS = [
    (IndicatorKind.JOBS_CREATED, "Emplois créés", "emplois"),
    (IndicatorKind.FIRM_SURVIVAL, "Pérennité des entreprises à 3 ans", "%"),
    (IndicatorKind.LOCAL_PURCHASING, "Part d'achats locaux", "%"),
]


@transaction.atomic
def create_roadmap(*, basin, period_start: int, period_end: int, user, title=""):
    """Create a roadmap with its six stages and the three seed indicators."""
    roadmap = Roadmap.objects.create(
        basin=basin,
        period_start=period_start,
        period_end=period_end,
        title=title or f"Feuille de route {basin.name} {period_start}–{period_end}",
    )
    record_event(
        roadmap,
        user=user,
        action=AuditAction.CREATE,
        changes=diff({}, snapshot(roadmap)),
        version=roadmap.version,
    )
    stages = Stage.objects.bulk_create(
        Stage(roadmap=roadmap, number=number) for number in StageKind.values
    )
    AuditEvent.objects.bulk_create(
        build_event(
            stage,
            user=user,
            action=AuditAction.CREATE,
            changes=diff({}, snapshot(stage)),
            version=stage.version,
        )
        for stage in stages
    )
    monitoring = next(s for s in stages if s.number == StageKind.MONITORING)
    for kind, name, unit in SEED_INDICATORS:
        create_item(
            item=Indicator(stage=monitoring, kind=kind, name=name, unit=unit),
            user=user,
        )
    return roadmap


@transaction.atomic
def update_stage_summary(*, stage, summary: str, version: int, user):
    """Save the stage summary if nobody changed it since ``version``."""
    check_editable(stage)
    current = Stage.objects.select_for_update().filter(pk=stage.pk).first()
    if current is None or current.version != version:
        raise edit_conflict(Stage, stage.pk, current=current, version=version)
    if current.summary == summary:
        return current
    updated = Stage.objects.filter(pk=stage.pk, version=version).update(
        summary=summary, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise edit_conflict(Stage, stage.pk, current=None, version=version)
    changes = {"summary": [current.summary, summary]}
    current.summary = summary
    current.version = version + 1
    record_event(
        current,
        user=user,
        action=AuditAction.UPDATE,
        changes=changes,
        version=current.version,
    )
    return current


@transaction.atomic
def add_comment(*, stage, user, body: str, author_role: AuthorRole):
    """Add a comment to a stage (committee or prefecture) and record it."""
    comment = StageComment.objects.create(
        stage=stage, author=user, author_role=author_role, body=body
    )
    record_event(
        comment,
        user=user,
        action=AuditAction.COMMENT,
        changes={"body": ["", body]},
    )
    return comment
