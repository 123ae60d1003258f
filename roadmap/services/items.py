"""Writes on roadmaps. Every write records an AuditEvent: nothing changes silently."""

import datetime
import decimal

from django.db import models, transaction
from django.db.models import F
from django.utils import formats, timezone

from roadmap.enums import (
    AuditAction,
    AuthorRole,
    IndicatorKind,
    StageKind,
    StageStatus,
)
from roadmap.models import AuditEvent, Indicator, Roadmap, Stage, StageComment

# Bookkeeping columns: never shown in history nor compared.
UNTRACKED = {"id", "version", "created_at", "updated_at", "stage", "roadmap"}

SEED_INDICATORS = [
    (IndicatorKind.JOBS_CREATED, "Emplois créés", "emplois"),
    (IndicatorKind.FIRM_SURVIVAL, "Pérennité des entreprises à 3 ans", "%"),
    (IndicatorKind.LOCAL_PURCHASING, "Part d'achats locaux", "%"),
]


class EditConflict(Exception):
    """The row changed (or vanished) since the form was loaded.

    ``current`` is the row as it is now (None when deleted); ``changes`` lists
    {field, label, seen, current} for the fields other people changed since
    the user's version, and ``authors`` who they were.
    """

    def __init__(self, *, current, changes, authors, deleted=False):
        super().__init__("Modification concurrente")
        self.current = current
        self.changes = changes
        self.authors = authors
        self.deleted = deleted


class StageLocked(Exception):
    """The stage is submitted or validated: the committee may not change it."""


# --- Snapshots ------------------------------------------------------------


def tracked_fields(model):
    """Fields a user edits, in declaration order, many-to-many included."""
    return [
        field
        for field in model._meta.get_fields()
        if (field.concrete or field.many_to_many)
        and not field.auto_created
        and getattr(field, "editable", False)
        and field.name not in UNTRACKED
    ]


def display_value(field, value):
    """A field value as French text, for history and conflict messages."""
    if value is None or value == "":
        return ""
    if field.many_to_many:
        return ", ".join(sorted(str(getattr(obj, "pk", obj)) for obj in value))
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(field, models.DecimalField):
        # French grouping and comma: "1 500 000,00".
        return formats.number_format(
            decimal.Decimal(value),
            field.decimal_places,
            use_l10n=True,
            force_grouping=True,
        )
    return str(value)


def snapshot(instance, *, m2m=None):
    """{field name: French text} of an instance; ``m2m`` overrides relations."""
    m2m = m2m or {}
    values = {}
    for field in tracked_fields(type(instance)):
        if field.many_to_many:
            if field.name in m2m:
                value = list(m2m[field.name])
            elif instance.pk:
                value = list(getattr(instance, field.name).all())
            else:
                value = []
        elif field.is_relation:
            value = (
                getattr(instance, field.name)
                if getattr(instance, field.attname)
                else None
            )
        else:
            value = getattr(instance, field.attname)
        values[field.name] = display_value(field, value)
    return values


def diff(before, after):
    return {
        name: [before.get(name, ""), value]
        for name, value in after.items()
        if before.get(name, "") != value
    }


# --- History --------------------------------------------------------------


def _scope(instance):
    """(roadmap, stage) of a roadmap, stage or item."""
    if isinstance(instance, Roadmap):
        return instance, None
    if isinstance(instance, Stage):
        return instance.roadmap, instance
    stage = getattr(instance, "stage", None)
    if stage is not None:
        return stage.roadmap, stage
    return instance.roadmap, None


def _event(instance, *, user, action, changes, version=None):
    roadmap, stage = _scope(instance)
    return AuditEvent(
        roadmap=roadmap,
        stage=stage,
        user=user if user and user.is_authenticated else None,
        action=action,
        model_label=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:255],
        object_version=version,
        changes=changes,
    )


def record_event(instance, *, user, action, changes, version=None):
    """Record one write on ``instance`` (a roadmap, a stage or an item)."""
    event = _event(instance, user=user, action=action, changes=changes, version=version)
    event.save()
    return event


def changes_since(instance, *, version):
    """What others changed on ``instance`` after ``version``.

    Returns ([{field, label, seen, current}], [author names]).
    """
    events = list(
        AuditEvent.objects.filter(
            model_label=instance._meta.label_lower,
            object_id=str(instance.pk),
            object_version__gt=version,
        )
        .select_related("user")
        .order_by("object_version", "pk")
    )
    merged = {}
    authors = []
    for event in events:
        name = _user_name(event.user)
        if name not in authors:
            authors.append(name)
        for field, (old, new) in event.changes.items():
            merged.setdefault(field, [old, new])[1] = new
    labels = {
        field.name: field.verbose_name for field in tracked_fields(type(instance))
    }
    rows = [
        {"field": field, "label": labels.get(field, field), "seen": old, "current": new}
        for field, (old, new) in merged.items()
        if old != new
    ]
    return rows, authors


def _user_name(user):
    if user is None:
        return "un utilisateur supprimé"
    return user.get_full_name() or user.get_username()


# --- Roadmaps -------------------------------------------------------------


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
        _event(
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


# --- Items ----------------------------------------------------------------


def check_editable(stage):
    """Refuse writes on a submitted or validated stage (checked under lock)."""
    if stage is None:
        return
    editable = (
        Stage.objects.select_for_update()
        .filter(pk=stage.pk, status__in=StageStatus.editable())
        .exists()
    )
    if not editable:
        raise StageLocked


@transaction.atomic
def create_item(*, item, user, m2m=None):
    """Save a new item (and its many-to-many values) and record it."""
    check_editable(getattr(item, "stage", None))
    item.save()
    for name, values in (m2m or {}).items():
        getattr(item, name).set(values)
    record_event(
        item,
        user=user,
        action=AuditAction.CREATE,
        changes=diff({}, snapshot(item, m2m=m2m)),
        version=item.version,
    )
    return item


@transaction.atomic
def update_item(*, item, version: int, user, m2m=None):
    """Save ``item``'s new values if nobody changed it since ``version``.

    Raises EditConflict otherwise, leaving the row untouched.
    """
    model = type(item)
    check_editable(getattr(item, "stage", None))
    current = model.objects.select_for_update().filter(pk=item.pk).first()
    if current is None or current.version != version:
        raise _conflict(model, item.pk, current=current, version=version)
    changes = diff(snapshot(current), snapshot(item, m2m=m2m))
    if not changes:
        # Nothing to write: keep the version, so other open forms stay valid.
        return item
    values = {
        field.attname: getattr(item, field.attname)
        for field in tracked_fields(model)
        if not field.many_to_many
    }
    updated = model.objects.filter(pk=item.pk, version=version).update(
        **values, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise _conflict(model, item.pk, current=None, version=version)
    for name, related in (m2m or {}).items():
        getattr(item, name).set(related)
    item.version = version + 1
    record_event(
        item,
        user=user,
        action=AuditAction.UPDATE,
        changes=changes,
        version=item.version,
    )
    return item


@transaction.atomic
def delete_item(*, item, version: int, user):
    """Delete ``item`` if nobody changed it since ``version``; record it all.

    Rows that pointed at it (owners, axes, projects) are detached and rows it
    owns (measurements of an indicator) deleted, each with its own event.
    """
    model = type(item)
    check_editable(getattr(item, "stage", None))
    current = model.objects.select_for_update().filter(pk=item.pk).first()
    if current is None or current.version != version:
        raise _conflict(model, item.pk, current=current, version=version)
    events = []
    for relation in model._meta.related_objects:
        if relation.many_to_many or relation.related_model is AuditEvent:
            continue
        field = relation.field
        dependants = relation.related_model._base_manager.filter(
            **{field.name: current}
        )
        on_delete = relation.on_delete
        if on_delete is models.SET_NULL:
            for row in dependants:
                events.append(
                    _event(
                        row,
                        user=user,
                        action=AuditAction.UPDATE,
                        changes={field.name: [str(current), ""]},
                        version=row.version + 1,
                    )
                )
            dependants.update(
                **{field.name: None},
                version=F("version") + 1,
                updated_at=timezone.now(),
            )
        elif on_delete is models.CASCADE:
            for row in dependants:
                events.append(
                    _event(
                        row,
                        user=user,
                        action=AuditAction.DELETE,
                        changes=diff(snapshot(row), {}),
                    )
                )
    events.append(
        _event(
            current,
            user=user,
            action=AuditAction.DELETE,
            changes={name: [old, ""] for name, old in snapshot(current).items() if old},
        )
    )
    deleted, _ = model.objects.filter(pk=item.pk, version=version).delete()
    if not deleted:
        raise _conflict(model, item.pk, current=None, version=version)
    AuditEvent.objects.bulk_create(events)


@transaction.atomic
def bulk_update_items(*, queryset, values: dict, user):
    """Set the same ``values`` on every row of ``queryset``, one event per row.

    Each row gets its own event (action "bulk_update") so that its history
    and the conflict check of a stale form stay complete.
    """
    rows = list(queryset.select_for_update().order_by("pk"))
    for stage in {getattr(row, "stage", None) for row in rows}:
        check_editable(stage)
    events = []
    for row in rows:
        before = snapshot(row)
        for name, value in values.items():
            setattr(row, name, value)
        changes = diff(before, snapshot(row))
        if changes:
            events.append(
                _event(
                    row,
                    user=user,
                    action=AuditAction.BULK_UPDATE,
                    changes=changes,
                    version=row.version + 1,
                )
            )
    if rows:
        type(rows[0]).objects.filter(pk__in=[row.pk for row in rows]).update(
            **values, version=F("version") + 1, updated_at=timezone.now()
        )
        for row in rows:
            row.version += 1
    AuditEvent.objects.bulk_create(events)
    return len(rows)


def _conflict(model, pk, *, current, version):
    probe = current or model(pk=pk)
    changes, authors = changes_since(probe, version=version)
    return EditConflict(
        current=current, changes=changes, authors=authors, deleted=current is None
    )


# --- Stages ---------------------------------------------------------------


@transaction.atomic
def update_stage_summary(*, stage, summary: str, version: int, user):
    """Save the stage summary if nobody changed it since ``version``."""
    check_editable(stage)
    current = Stage.objects.select_for_update().filter(pk=stage.pk).first()
    if current is None or current.version != version:
        raise _conflict(Stage, stage.pk, current=current, version=version)
    if current.summary == summary:
        return current
    updated = Stage.objects.filter(pk=stage.pk, version=version).update(
        summary=summary, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise _conflict(Stage, stage.pk, current=None, version=version)
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
