"""Coherence check of a roadmap: the gaps a committee should fill.

Pure: ``find_gaps`` takes the facts gathered by
``roadmap.selectors.coherence_facts`` (one query per kind of row) and returns
French messages. Each gap names the stages it concerns, so submitting stage 1
is not flagged for a missing indicator of stage 6.
"""

from calendar import monthrange
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from roadmap.enums import StageKind

# How recent the last measurement of an indicator must be.
MEASUREMENT_MAX_AGE_MONTHS = 12


@dataclass(frozen=True)
class AxisFacts:
    title: str
    training_count: int
    investment_count: int


@dataclass(frozen=True)
class IndicatorFacts:
    name: str
    has_target: bool
    last_measured_on: date | None


@dataclass(frozen=True)
class CoherenceFacts:
    axes: Sequence[AxisFacts] = ()
    indicators: Sequence[IndicatorFacts] = ()
    skill_count: int = 0
    actor_count: int = 0


@dataclass(frozen=True)
class Gap:
    kind: str
    message: str
    stages: frozenset[int] = field(default_factory=frozenset)


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier, clamped to the month's end (29/02)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def find_gaps(
    *, facts: CoherenceFacts, today: date, stage_number: int | None = None
) -> list[Gap]:
    """Gaps of the roadmap, or only those concerning ``stage_number``."""
    gaps = []
    if facts.skill_count == 0:
        gaps.append(
            Gap(
                "no_skill",
                "Diagnostic vide : aucun métier n'est recensé.",
                frozenset({StageKind.DIAGNOSTIC}),
            )
        )
    if facts.actor_count == 0:
        gaps.append(
            Gap(
                "no_actor",
                "Diagnostic vide : aucun acteur local n'est recensé.",
                frozenset({StageKind.DIAGNOSTIC}),
            )
        )
    if not facts.axes:
        gaps.append(
            Gap(
                "no_axis",
                "Aucun axe stratégique n'est défini.",
                frozenset({StageKind.STRATEGY}),
            )
        )
    for axis in facts.axes:
        if axis.training_count == 0:
            gaps.append(
                Gap(
                    "axis_without_training",
                    f"L'axe « {axis.title} » n'a aucune action de formation rattachée.",
                    frozenset({StageKind.STRATEGY, StageKind.SKILLS}),
                )
            )
        if axis.investment_count == 0:
            gaps.append(
                Gap(
                    "axis_without_investment",
                    f"L'axe « {axis.title} » n'a aucun projet d'investissement "
                    "rattaché.",
                    frozenset({StageKind.STRATEGY, StageKind.INVESTMENT}),
                )
            )
    if not any(indicator.has_target for indicator in facts.indicators):
        gaps.append(
            Gap(
                "no_target",
                "Aucun indicateur n'a de cible (valeur et date).",
                frozenset({StageKind.MONITORING}),
            )
        )
    since = months_before(today, MEASUREMENT_MAX_AGE_MONTHS)
    for indicator in facts.indicators:
        last = indicator.last_measured_on
        if last is None or last < since:
            detail = (
                f"la dernière date du {last:%d/%m/%Y}"
                if last
                else "aucune n'a été saisie"
            )
            gaps.append(
                Gap(
                    "stale_indicator",
                    f"L'indicateur « {indicator.name} » n'a aucune mesure depuis "
                    f"le {since:%d/%m/%Y} ({detail}).",
                    frozenset({StageKind.MONITORING}),
                )
            )
    if stage_number is not None:
        gaps = [gap for gap in gaps if stage_number in gap.stages]
    return gaps
