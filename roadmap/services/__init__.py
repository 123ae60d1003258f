"""Writes on roadmaps, one module per family; every write records an
AuditEvent (roadmap.services.history)."""

from roadmap.services.history import (
    changes_since,
    diff,
    record_event,
    snapshot,
    tracked_fields,
)
from roadmap.services.items import (
    EditConflict,
    StageLocked,
    bulk_update_items,
    check_editable,
    create_item,
    delete_item,
    update_item,
)
from roadmap.services.roadmaps import (
    SEED_INDICATORS,
    add_comment,
    create_roadmap,
    update_stage_summary,
)

__all__ = [
    "SEED_INDICATORS",
    "EditConflict",
    "StageLocked",
    "add_comment",
    "bulk_update_items",
    "changes_since",
    "check_editable",
    "create_item",
    "create_roadmap",
    "delete_item",
    "diff",
    "record_event",
    "snapshot",
    "tracked_fields",
    "update_item",
    "update_stage_summary",
]
