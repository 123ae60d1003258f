"""Reads of the stage 1 diagnostic panel: the figures and the pinned ones."""

from dataclasses import dataclass

from diagnostics import selectors as diagnostic_selectors
from roadmap import pins
from roadmap.formatting import user_name
from roadmap.models import PinnedFigure, Stage


@dataclass
class PinnedRow:
    """A pin, with the figure's value in today's diagnostic for comparison."""

    pin: PinnedFigure
    author: str
    # None when the figure is no longer in the diagnostic.
    current: pins.Figure | None

    @property
    def changed(self) -> bool:
        return self.current is not None and self.current.value != self.pin.value


def diagnostic_panel(*, stage: Stage, can_pin: bool, alert: str = "") -> dict:
    """Context of the panel: diagnostic figures by block and the stage's pins.

    Queries: those of diagnostics.selectors.basin_diagnostic (SIRENE part
    cached) plus one for the pins and their authors.
    """
    basin = stage.roadmap.basin
    diagnostic = diagnostic_selectors.basin_diagnostic(basin=basin)
    groups = pins.figure_groups(diagnostic)
    figures = {figure.key: figure for group in groups for figure in group.figures}
    pinned = list(
        PinnedFigure.objects.filter(stage=stage)
        .select_related("pinned_by")
        .order_by("created_at", "pk")
    )
    return {
        "pin_roadmap": stage.roadmap,
        "pin_stage": stage,
        "pin_basin": basin,
        "pin_groups": [group for group in groups if group.figures],
        "pin_missing": [group for group in groups if not group.figures],
        "pin_has_data": bool(figures),
        "pinned_rows": [
            PinnedRow(pin, user_name(pin.pinned_by), figures.get(pin.key))
            for pin in pinned
        ],
        "pinned_keys": {pin.key for pin in pinned},
        "can_pin": can_pin,
        "pin_alert": alert,
    }
