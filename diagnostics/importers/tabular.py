"""Helpers for the small indicator files (a few thousand rows, read whole)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models

from diagnostics.importers import base
from diagnostics.models import ImportRun


def upsert(
    model: type[models.Model],
    *,
    keys: tuple[str, ...],
    fields: tuple[str, ...],
    records: dict[tuple, dict],
    run: ImportRun,
    outcome: base.Outcome,
    scope: models.Q | None = None,
) -> None:
    """Create or update ``records`` (natural key -> field values).

    Rows whose values are unchanged are left alone (their import_run too), so
    re-importing a file changes nothing. ``scope`` limits the rows read back.
    """
    queryset = model.objects.all()
    if scope is not None:
        queryset = queryset.filter(scope)
    existing = {tuple(getattr(obj, k) for k in keys): obj for obj in queryset}
    to_create, to_update = [], []
    for key, values in records.items():
        obj = existing.get(key)
        if obj is None:
            to_create.append(
                model(**dict(zip(keys, key, strict=True)), **values, import_run=run)
            )
        elif any(_differs(getattr(obj, f), values[f]) for f in fields):
            for name in fields:
                setattr(obj, name, values[name])
            obj.import_run = run
            to_update.append(obj)
    model.objects.bulk_create(to_create, batch_size=1000)
    model.objects.bulk_update(to_update, [*fields, "import_run"], batch_size=1000)
    outcome.inserted += len(to_create)
    outcome.updated += len(to_update)
    outcome.unchanged += len(records) - len(to_create) - len(to_update)


def _differs(current, new) -> bool:
    if isinstance(current, float) and isinstance(new, float):
        return abs(current - new) > 1e-9
    return current != new


def reject(
    rejects: base.RejectsWriter | None,
    run: ImportRun,
    columns: Iterable[str],
    *,
    line: int,
    reason: str,
    values: list[str],
    outcome: base.Outcome,
) -> base.RejectsWriter:
    """Record one rejected row; opens the rejects file on first use."""
    if rejects is None:
        rejects = base.RejectsWriter(run, list(columns))
    rejects.add(line, reason, values)
    outcome.rejects[reason] += 1
    outcome.rejected += 1
    return rejects
