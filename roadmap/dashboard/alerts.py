"""Alert rules and normalisations of the prefecture dashboard.

Pure: no ORM here. ``roadmap.dashboard`` gathers plain facts (one query per
kind of fact, for every basin at once) and these functions turn them into
alerts, each explained in one French sentence and pointing at its cause (a
stage of a roadmap, or the roadmap's overview).
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from roadmap.coherence import MEASUREMENT_MAX_AGE_MONTHS, months_before
from roadmap.enums import StageKind, StageStatus

INACTIVITY_DAYS = 90
Number = int | float | Decimal


class AlertKind(StrEnum):
    COMPETITION = "competition"
    CROWDING_OUT = "crowding_out"
    HASTE = "haste"
    INACTIVITY = "inactivity"
    STALE_INDICATOR = "stale_indicator"

    @property
    def label(self) -> str:
        return ALERT_LABELS[self]


ALERT_LABELS = {
    AlertKind.COMPETITION: "Concurrence entre bassins",
    AlertKind.CROWDING_OUT: "Effet d'éviction",
    AlertKind.HASTE: "Précipitation",
    AlertKind.INACTIVITY: "Inactivité",
    AlertKind.STALE_INDICATOR: "Indicateur sans mesure récente",
}


@dataclass(frozen=True)
class Alert:
    kind: AlertKind
    basin_id: int
    basin_name: str
    roadmap_id: int
    message: str
    # The stage the cause lives in; None for the whole roadmap (overview).
    stage_number: int | None = None

    @property
    def label(self) -> str:
        return self.kind.label


# --- Facts (filled by roadmap.dashboard) -------------------------------------


@dataclass(frozen=True)
class AxisFact:
    region_code: str
    region_name: str
    naf_code: str
    naf_label: str
    basin_id: int
    basin_name: str
    roadmap_id: int


@dataclass(frozen=True)
class FundingFact:
    basin_id: int
    basin_name: str
    roadmap_id: int
    obtained: Decimal
    # Obtained by firms outside the basin or by firms that are not SMEs.
    obtained_elsewhere: Decimal
    threshold_pct: Decimal


@dataclass(frozen=True)
class StageFact:
    basin_id: int
    basin_name: str
    roadmap_id: int
    number: int
    status: str
    submitted_with_gaps: bool


@dataclass(frozen=True)
class InvestmentFact:
    basin_id: int
    basin_name: str
    roadmap_id: int
    # Investment projects and funding lines not abandoned.
    planned: int
    skills_status: str


@dataclass(frozen=True)
class ActivityFact:
    basin_id: int
    basin_name: str
    roadmap_id: int
    last_change: datetime | None


@dataclass(frozen=True)
class IndicatorFact:
    basin_id: int
    basin_name: str
    roadmap_id: int
    name: str
    last_measured_on: date | None


# --- Formatting ----------------------------------------------------------------


def format_number(value: Number | None, decimals: int = 0) -> str:
    """1 234 567 or 12,5, as French text (narrow no-break space)."""
    if value is None:
        return "—"
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


def format_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else "—"


def _names(names: Iterable[str]) -> str:
    names = list(names)
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " et " + names[-1]


# --- Rules ---------------------------------------------------------------------


def competition_alerts(axes: Iterable[AxisFact]) -> list[Alert]:
    """Two or more basins of a region aim at the same NAF division: one alert
    per basin concerned, naming the others."""
    groups: dict[tuple[str, str], dict[int, AxisFact]] = defaultdict(dict)
    for fact in axes:
        groups[(fact.region_code, fact.naf_code)].setdefault(fact.basin_id, fact)
    alerts = []
    for (_, naf_code), by_basin in sorted(groups.items()):
        if len(by_basin) < 2:
            continue
        facts = sorted(by_basin.values(), key=lambda fact: fact.basin_name)
        for fact in facts:
            others = [other.basin_name for other in facts if other is not fact]
            alerts.append(
                Alert(
                    kind=AlertKind.COMPETITION,
                    basin_id=fact.basin_id,
                    basin_name=fact.basin_name,
                    roadmap_id=fact.roadmap_id,
                    stage_number=StageKind.STRATEGY,
                    message=(
                        f"Le bassin {fact.basin_name} vise la division NAF "
                        f"{naf_code} « {fact.naf_label} », comme "
                        f"{_names(others)} dans la même région "
                        f"({fact.region_name})."
                    ),
                )
            )
    return alerts


def share_pct(part: Number, total: Number) -> Decimal | None:
    """part / total in percent, None when total is zero."""
    if not total:
        return None
    return Decimal(part) * 100 / Decimal(total)


def crowding_out_alerts(funding: Iterable[FundingFact]) -> list[Alert]:
    """The share of obtained funding going outside the basin or to non-SMEs
    is above the region's threshold."""
    alerts = []
    for fact in funding:
        share = share_pct(fact.obtained_elsewhere, fact.obtained)
        if share is None or share <= fact.threshold_pct:
            continue
        alerts.append(
            Alert(
                kind=AlertKind.CROWDING_OUT,
                basin_id=fact.basin_id,
                basin_name=fact.basin_name,
                roadmap_id=fact.roadmap_id,
                stage_number=StageKind.INVESTMENT,
                message=(
                    f"Dans le bassin {fact.basin_name}, {format_number(share)} % "
                    f"des financements obtenus ({format_number(fact.obtained)} €) "
                    "vont à des entreprises extérieures au bassin ou qui ne sont "
                    "pas des PME, au-delà du seuil régional de "
                    f"{format_number(fact.threshold_pct)} %."
                ),
            )
        )
    return alerts


def haste_alerts(
    stages: Iterable[StageFact], investments: Iterable[InvestmentFact]
) -> list[Alert]:
    """A stage sent with coherence gaps, or investments planned before the
    skills plan (stage 3) is validated."""
    alerts = []
    for fact in stages:
        if not fact.submitted_with_gaps or fact.status not in (
            StageStatus.SUBMITTED,
            StageStatus.VALIDATED,
        ):
            continue
        alerts.append(
            Alert(
                kind=AlertKind.HASTE,
                basin_id=fact.basin_id,
                basin_name=fact.basin_name,
                roadmap_id=fact.roadmap_id,
                stage_number=fact.number,
                message=(
                    f"L'étape {fact.number} « {StageKind(fact.number).label} » du "
                    f"bassin {fact.basin_name} a été soumise alors que la "
                    "vérification de cohérence y signalait des manques."
                ),
            )
        )
    for fact in investments:
        if fact.planned == 0 or fact.skills_status == StageStatus.VALIDATED:
            continue
        plural = "s" if fact.planned > 1 else ""
        alerts.append(
            Alert(
                kind=AlertKind.HASTE,
                basin_id=fact.basin_id,
                basin_name=fact.basin_name,
                roadmap_id=fact.roadmap_id,
                stage_number=StageKind.INVESTMENT,
                message=(
                    f"Le bassin {fact.basin_name} prévoit {fact.planned} "
                    f"investissement{plural} ou financement{plural} alors que "
                    "son plan de montée en compétences (étape 3) n'est pas "
                    "validé."
                ),
            )
        )
    return alerts


def inactivity_alerts(
    activity: Iterable[ActivityFact], *, today: date, days: int = INACTIVITY_DAYS
) -> list[Alert]:
    """No change recorded on the roadmap for more than ``days`` days."""
    alerts = []
    limit = today - timedelta(days=days)
    for fact in activity:
        if fact.last_change is None:
            continue
        last = fact.last_change.date()
        if last >= limit:
            continue
        alerts.append(
            Alert(
                kind=AlertKind.INACTIVITY,
                basin_id=fact.basin_id,
                basin_name=fact.basin_name,
                roadmap_id=fact.roadmap_id,
                message=(
                    f"La feuille de route du bassin {fact.basin_name} n'a pas été "
                    f"modifiée depuis le {format_date(last)} "
                    f"({(today - last).days} jours)."
                ),
            )
        )
    return alerts


def stale_indicator_alerts(
    indicators: Iterable[IndicatorFact], *, today: date
) -> list[Alert]:
    """An indicator with no measurement for a year (the coherence check's
    rule)."""
    since = months_before(today, MEASUREMENT_MAX_AGE_MONTHS)
    alerts = []
    for fact in indicators:
        last = fact.last_measured_on
        if last is not None and last >= since:
            continue
        detail = (
            f"dernière mesure le {format_date(last)}"
            if last
            else "aucune mesure saisie"
        )
        alerts.append(
            Alert(
                kind=AlertKind.STALE_INDICATOR,
                basin_id=fact.basin_id,
                basin_name=fact.basin_name,
                roadmap_id=fact.roadmap_id,
                stage_number=StageKind.MONITORING,
                message=(
                    f"L'indicateur « {fact.name} » du bassin {fact.basin_name} "
                    f"n'a aucune mesure depuis plus d'un an ({detail})."
                ),
            )
        )
    return alerts


KIND_ORDER = list(AlertKind)


def sort_alerts(alerts: Iterable[Alert]) -> list[Alert]:
    return sorted(
        alerts,
        key=lambda alert: (
            alert.basin_name,
            KIND_ORDER.index(alert.kind),
            alert.stage_number or 0,
            alert.message,
        ),
    )


def count_by_basin(alerts: Iterable[Alert]) -> dict[int, int]:
    counts: dict[int, int] = defaultdict(int)
    for alert in alerts:
        counts[alert.basin_id] += 1
    return dict(counts)


def count_by_kind(alerts: Iterable[Alert]) -> list[tuple[AlertKind, int]]:
    counts = dict.fromkeys(AlertKind, 0)
    for alert in alerts:
        counts[alert.kind] += 1
    return list(counts.items())


# --- Normalisation and indicators ----------------------------------------------


def per_thousand(value: Number | None, population: int | None) -> float | None:
    """value per 1,000 inhabitants, so that a small basin compares with a
    large one; None without a value or a population."""
    if value is None or not population:
        return None
    return float(value) * 1000 / population


def target_reached_pct(value: Number | None, target: Number | None) -> float | None:
    """How much of the target the last measurement reaches, in percent."""
    if value is None or not target:
        return None
    return float(value) * 100 / float(target)


@dataclass(frozen=True)
class UnemploymentTrend:
    quarter: str
    rate: Decimal
    # Change in points over one year (four quarters); None without the
    # quarter one year earlier.
    change: Decimal | None


def unemployment_trend(
    points: Sequence[tuple[date, str, Decimal]],
) -> UnemploymentTrend | None:
    """Last quarterly rate of a basin and its change over four quarters.

    ``points`` are (quarter start, quarter label, rate), in any order.
    """
    if not points:
        return None
    by_start = {start: (label, rate) for start, label, rate in points}
    last_start = max(by_start)
    label, rate = by_start[last_start]
    year_before = by_start.get(last_start.replace(year=last_start.year - 1))
    change = None if year_before is None else rate - year_before[1]
    return UnemploymentTrend(quarter=label, rate=rate, change=change)


def waiting_days(since: datetime | date | None, *, today: date) -> int | None:
    """Whole days since ``since`` (a submission, a change)."""
    if since is None:
        return None
    day = since.date() if isinstance(since, datetime) else since
    return max((today - day).days, 0)


def waiting_label(days: int | None) -> str:
    """French duration: "aujourd'hui", "1 jour", "12 jours"."""
    if days is None:
        return "—"
    if days == 0:
        return "aujourd'hui"
    return f"{days} jour{'s' if days > 1 else ''}"
