"""The stage page and its parts, as lazy members: a template block cached
under the roadmap's stamp ({% stamped %}) never evaluates what it shows."""

from dataclasses import dataclass
from functools import cached_property

from django.core.paginator import Paginator

from basins.roles import BasinRoles
from roadmap.enums import ActionStatus, StageKind
from roadmap.formatting import user_name
from roadmap.models import Roadmap, Stage
from roadmap.models.registry import PAGE_SIZE, ItemType, types_of_stage
from roadmap.selectors import pins
from roadmap.selectors.roadmap import roadmap_stamp, stages_with_progress
from roadmap.services import workflow

HISTORY_PAGE_SIZE = 20
COMMENTS_PAGE_SIZE = 10


def can_write(access: BasinRoles, stage: Stage | None) -> bool:
    """The committee changes a stage's content only while it is editable."""
    return access.can_edit and (stage is None or stage.is_editable)


@dataclass
class Section:
    """One list of items (skills, risks...) with its write controls."""

    item_type: ItemType
    roadmap: Roadmap
    stage: Stage | None
    access: BasinRoles
    page_number: str | None = None
    alert: str | None = None
    conflict: dict | None = None

    @cached_property
    def page(self):
        items = self.item_type.queryset(roadmap=self.roadmap)
        return Paginator(items, PAGE_SIZE).get_page(self.page_number)

    @cached_property
    def rows(self):
        return [(item, self.item_type.cells(item)) for item in self.page]

    # Read on every row: worked out once.
    @cached_property
    def can_write(self):
        return can_write(self.access, self.stage)

    @cached_property
    def bulk(self):
        return self.item_type.bulk_editable and self.can_write

    @cached_property
    def list_url(self):
        return self.item_type.url("item_list", self.roadmap)

    @cached_property
    def create_url(self):
        return self.item_type.url("item_create", self.roadmap)

    @cached_property
    def bulk_url(self):
        return self.item_type.url("item_bulk", self.roadmap)

    statuses = ActionStatus.choices


def history(*, stage=None, roadmap=None, page_number=None):
    """A page of a stage's events, or of the roadmap's own (risks, creation)."""
    if stage is not None:
        events = stage.events.all()
    else:
        events = roadmap.events.filter(stage__isnull=True)
    events = events.select_related("user").order_by("-created_at", "-pk")
    page = Paginator(events, HISTORY_PAGE_SIZE).get_page(page_number)
    for event in page:
        event.author_name = user_name(event.user)
    return page


def comments(stage, page_number=None):
    """A page of the stage's comments, most recent first."""
    rows = stage.comments.select_related("author").order_by("-created_at", "-pk")
    page = Paginator(rows, COMMENTS_PAGE_SIZE).get_page(page_number)
    for comment in page:
        comment.author_name = user_name(comment.author)
    return page


@dataclass
class StagePage:
    """Everything the stage page shows; each member is read when used."""

    roadmap: Roadmap
    number: int
    access: BasinRoles
    history_page: str = ""
    comments_page: str = ""
    pin_alert: str = ""

    @cached_property
    def stamp(self) -> str:
        return roadmap_stamp(roadmap=self.roadmap)

    @cached_property
    def stages(self) -> list[Stage]:
        """The six stages with their progress, cached under the stamp (the
        page's stage is one of them: read after the stamp, never older)."""
        return stages_with_progress(roadmap=self.roadmap, stamp=self.stamp)

    @cached_property
    def stage(self) -> Stage | None:
        return next((s for s in self.stages if s.number == self.number), None)

    @property
    def progress(self) -> int:
        return self.stage.progress

    @property
    def can_write(self) -> bool:
        return can_write(self.access, self.stage)

    @cached_property
    def sections(self) -> list[Section]:
        return [
            Section(item_type, self.roadmap, self.stage, self.access)
            for item_type in types_of_stage(self.number)
        ]

    @cached_property
    def history(self):
        return history(stage=self.stage, page_number=self.history_page)

    @cached_property
    def comments(self):
        return comments(self.stage, self.comments_page)

    @cached_property
    def review(self) -> dict:
        return workflow.review_panel(stage=self.stage, access=self.access)

    @cached_property
    def pins(self) -> dict | None:
        """Stage 1: the automatic diagnostic's figures and the pinned ones
        (not cached: the imports change them, not the roadmap's writes)."""
        if self.number != StageKind.DIAGNOSTIC:
            return None
        return pins.diagnostic_panel(
            stage=self.stage,
            can_pin=self.can_write,
            alert=self.pin_alert,
        )
