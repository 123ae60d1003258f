"""Writes on the items of a roadmap, under the version check of their form."""

from django.db import models, transaction
from django.db.models import F
from django.utils import timezone

from roadmap.enums import AuditAction, StageStatus
from roadmap.models import AuditEvent, Stage
from roadmap.services.history import (
    build_event,
    changes_since,
    diff,
    record_event,
    snapshot,
    tracked_fields,
)


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

    def __init__(self, stage):
        super().__init__(stage)
        self.stage = stage


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
        raise StageLocked(stage)


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
        raise edit_conflict(model, item.pk, current=current, version=version)
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
        raise edit_conflict(model, item.pk, current=None, version=version)
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
        raise edit_conflict(model, item.pk, current=current, version=version)
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
                    build_event(
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
                    build_event(
                        row,
                        user=user,
                        action=AuditAction.DELETE,
                        changes=diff(snapshot(row), {}),
                    )
                )
    events.append(
        build_event(
            current,
            user=user,
            action=AuditAction.DELETE,
            changes={name: [old, ""] for name, old in snapshot(current).items() if old},
        )
    )
    deleted, _ = model.objects.filter(pk=item.pk, version=version).delete()
    if not deleted:
        raise edit_conflict(model, item.pk, current=None, version=version)
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
                build_event(
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


def edit_conflict(model, pk, *, current, version):
    """The EditConflict of row ``pk``, naming what others changed since
    ``version``."""
    probe = current or model(pk=pk)
    changes, authors = changes_since(probe, version=version)
    return EditConflict(
        current=current, changes=changes, authors=authors, deleted=current is None
    )
