"""The history of a roadmap: snapshots of rows as French text, their
differences, and one AuditEvent per write (nothing changes silently)."""

from roadmap.formatting import field_text, user_name
from roadmap.models import AuditEvent, Roadmap, Stage

# Bookkeeping columns: never shown in history nor compared.
UNTRACKED = {"id", "version", "created_at", "updated_at", "stage", "roadmap"}


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
        values[field.name] = field_text(field, value)
    return values


def diff(before, after):
    return {
        name: [before.get(name, ""), value]
        for name, value in after.items()
        if before.get(name, "") != value
    }


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


def build_event(instance, *, user, action, changes, version=None):
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
    event = build_event(
        instance, user=user, action=action, changes=changes, version=version
    )
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
        name = user_name(event.user, in_sentence=True)
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
