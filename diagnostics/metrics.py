"""Pure formulas of the basin diagnostic: no ORM, no I/O.

They take the plain numbers the selectors read from the database and return
indicators. Every function accepts empty inputs and returns ``None`` (or an
empty list) rather than dividing by zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# Estimated employees of an establishment from its SIRENE headcount band
# (trancheEffectifsEtablissement): the middle of the band. "NN" (no employee
# or unknown), "00" (no employee on 31 December) and a blank band count 0.
# The last band, "10 000 salariés et plus", is open-ended: we count 10 000,
# its lower bound, rather than invent an upper one; very large sites are few
# and this keeps the estimate conservative.
BAND_MIDPOINTS: dict[str, float] = {
    "": 0.0,
    "NN": 0.0,
    "00": 0.0,
    "01": 1.5,
    "02": 4.0,
    "03": 7.5,
    "11": 14.5,
    "12": 34.5,
    "21": 74.5,
    "22": 149.5,
    "31": 224.5,
    "32": 374.5,
    "41": 749.5,
    "42": 1499.5,
    "51": 3499.5,
    "52": 7499.5,
    "53": 10000.0,
}

TPE, PME, ETI, GE = "TPE", "PME", "ETI", "GE"
SIZE_CLASSES = (TPE, PME, ETI, GE)
SIZE_CLASS_LABELS = {
    TPE: "Très petites entreprises (moins de 10 salariés)",
    PME: "Petites et moyennes entreprises (10 à 249 salariés)",
    ETI: "Entreprises de taille intermédiaire (250 à 4 999 salariés)",
    GE: "Grandes entreprises (5 000 salariés et plus)",
}
# Size class of an establishment from its own headcount band. The official
# categories (décret 2008-1354) apply to firms (unités légales, with turnover
# and balance sheet), not to establishments: a 30-employee branch of a large
# group counts here as a "PME". This is an approximation, stated on the page.
BAND_SIZE_CLASS: dict[str, str] = {
    **dict.fromkeys(("", "NN", "00", "01", "02", "03"), TPE),
    **dict.fromkeys(("11", "12", "21", "22", "31"), PME),
    **dict.fromkeys(("32", "41", "42", "51"), ETI),
    **dict.fromkeys(("52", "53"), GE),
}

SPECIALISATION_THRESHOLD = 1.25
MIN_SPECIALISATION_EMPLOYEES = 100.0

# When a figure of one basin is a finding. In the spirit of the rules INSEE
# applies before publishing business statistics (at least three units, none
# weighing 85 % or more of the total), a share, a location quotient or a size
# class of a basin is only presented as a finding when it rests on:
# - at least MIN_ESTABLISHMENTS active establishments,
# - at least MIN_EMPLOYEES estimated employees,
# - no single establishment holding MAX_DOMINANCE or more of those employees.
# Other figures are still shown, with their counts and the reason, but they
# are never flagged, ranked or offered for pinning.
MIN_ESTABLISHMENTS = 3
MIN_EMPLOYEES = 20.0
MAX_DOMINANCE = 0.85
# The adjusted location quotient counts PRIOR_EMPLOYEES more employees in the
# basin, spread like France's: it pulls small basins' quotients towards 1, so
# specialisations are ranked by what the counts can bear.
PRIOR_EMPLOYEES = 200.0
# The share of the k largest establishments says something only when the
# basin has several times k employers: 4 x 5 = 20 for the top 5.
MIN_EMPLOYERS_PER_RANK = 4
# A cohort's share still active needs this many creations.
MIN_COHORT = 20


def rules() -> dict[str, int | float]:
    """The thresholds above, as the pages state them."""
    return {
        "min_establishments": MIN_ESTABLISHMENTS,
        "min_employees": round(MIN_EMPLOYEES),
        "dominance": round(100 * MAX_DOMINANCE),
        "prior": round(PRIOR_EMPLOYEES),
        "threshold": SPECIALISATION_THRESHOLD,
        "min_specialisation": round(MIN_SPECIALISATION_EMPLOYEES),
        "top5": 5 * MIN_EMPLOYERS_PER_RANK,
        "top10": 10 * MIN_EMPLOYERS_PER_RANK,
        "min_cohort": MIN_COHORT,
    }


def estimated_employees(band: str | None) -> float:
    """Middle of the headcount band; 0 for an unknown or non-employer band."""
    return BAND_MIDPOINTS.get(band or "", 0.0)


def size_class(band: str | None) -> str:
    """TPE, PME, ETI or GE from an establishment's headcount band."""
    return BAND_SIZE_CLASS.get(band or "", TPE)


def share(part: float | None, whole: float | None) -> float | None:
    """part / whole, or None when whole is zero or unknown."""
    if part is None or not whole:
        return None
    return part / whole


def location_quotient(
    *,
    local: float,
    local_total: float,
    national: float,
    national_total: float,
) -> float | None:
    """LQ = (e_is / e_i) / (E_s / E); None when a denominator is zero."""
    local_share = share(local, local_total)
    national_share = share(national, national_total)
    if local_share is None or not national_share:
        return None
    return local_share / national_share


def adjusted_quotient(
    *,
    local: float,
    local_total: float,
    national: float,
    national_total: float,
    prior: float = PRIOR_EMPLOYEES,
) -> float | None:
    """The LQ as if the basin had ``prior`` more employees spread like France.

    ((e_is + prior x p_s) / (e_i + prior)) / p_s, where p_s = E_s / E: close
    to the plain LQ in a large basin, pulled towards 1 in a small one.
    """
    national_share = share(national, national_total)
    if not national_share or local_total + prior <= 0:
        return None
    local_share = (local + prior * national_share) / (local_total + prior)
    return local_share / national_share


def caution(*, establishments: int, employees: float, largest: float | None) -> str:
    """Why a figure resting on these counts is not a finding ("" if it is).

    ``largest``: estimated employees of the largest establishment counted,
    None when unknown (the dominance rule is then not checked).
    """
    if establishments < MIN_ESTABLISHMENTS:
        plural = "s" if establishments > 1 else ""
        return (
            f"repose sur {establishments} établissement{plural} "
            f"(minimum {MIN_ESTABLISHMENTS})"
        )
    if employees < MIN_EMPLOYEES:
        return f"moins de {MIN_EMPLOYEES:.0f} salariés estimés"
    if largest is not None and employees and largest / employees >= MAX_DOMINANCE:
        return (
            f"un seul établissement emploie {round(100 * largest / employees)}\u202f% "
            f"des salariés estimés (maximum {round(100 * MAX_DOMINANCE)}\u202f%)"
        )
    return ""


@dataclass(frozen=True)
class SectorIndicator:
    code: str
    label: str
    establishments: int
    employees: float
    employees_share: float | None
    location_quotient: float | None
    specialised: bool
    # Estimated employees of the sector's largest establishment (None: unknown).
    largest: float | None = None
    adjusted_quotient: float | None = None
    # Why the sector's share and quotient are not findings ("" when they are).
    caution: str = ""

    @property
    def robust(self) -> bool:
        return not self.caution


def _counts(value: Sequence) -> tuple[int, float, float | None]:
    """(establishments, employees[, largest]) -> a 3-tuple."""
    count, employees, *rest = value
    return count, employees, (rest[0] if rest else None)


def sector_indicators(
    *,
    local: Mapping[str, Sequence],
    national: Mapping[str, Sequence],
    labels: Mapping[str, str] | None = None,
    threshold: float = SPECIALISATION_THRESHOLD,
    min_employees: float = MIN_SPECIALISATION_EMPLOYEES,
) -> list[SectorIndicator]:
    """Sectors of a basin with their location quotient, largest first.

    ``local`` and ``national`` map a sector code to (establishments,
    employees) or (establishments, employees, employees of the largest
    establishment). A sector is flagged as a specialisation when its counts
    pass the rule above (see :func:`caution`), it employs at least
    ``min_employees`` locally and its adjusted quotient reaches ``threshold``:
    one big site, or three people in a rare activity, are not a specialisation.
    """
    labels = labels or {}
    local_total = sum(_counts(value)[1] for value in local.values())
    national_total = sum(_counts(value)[1] for value in national.values())
    indicators = []
    for code, value in local.items():
        count, employees, largest = _counts(value)
        reference = _counts(national.get(code, (0, 0.0)))[1]
        shares = {
            "local": employees,
            "local_total": local_total,
            "national": reference,
            "national_total": national_total,
        }
        quotient = location_quotient(**shares)
        adjusted = adjusted_quotient(**shares)
        reason = caution(establishments=count, employees=employees, largest=largest)
        indicators.append(
            SectorIndicator(
                code=code,
                label=labels.get(code, code),
                establishments=count,
                employees=employees,
                employees_share=share(employees, local_total),
                location_quotient=quotient,
                specialised=not reason
                and adjusted is not None
                and adjusted >= threshold
                and employees >= min_employees,
                largest=largest,
                adjusted_quotient=adjusted,
                caution=reason,
            )
        )
    indicators.sort(key=lambda i: (-i.employees, -i.establishments, i.code))
    return indicators


def top_specialisations(
    indicators: Iterable[SectorIndicator], *, limit: int = 10
) -> list[SectorIndicator]:
    """Flagged specialisations, highest adjusted quotient first."""
    flagged = [i for i in indicators if i.specialised]
    flagged.sort(key=lambda i: (-(i.adjusted_quotient or 0), -i.employees, i.code))
    return flagged[:limit]


@dataclass(frozen=True)
class SizeClass:
    size: str
    establishments: int
    employees: float
    employees_share: float | None
    # Why the class's share is not a finding ("" when it is).
    caution: str = ""

    @property
    def label(self) -> str:
        return SIZE_CLASS_LABELS[self.size]

    @property
    def robust(self) -> bool:
        return not self.caution


def size_structure(band_counts: Mapping[str, tuple[int, float]]) -> list[SizeClass]:
    """Establishments, employees and employees share by size class, TPE..GE.

    ``band_counts`` maps a headcount band to (establishments, employees).
    Every establishment of a band counts the band's middle, so the largest
    one of a class is the middle of its largest band present.
    """
    totals = {size: [0, 0.0, 0.0] for size in SIZE_CLASSES}
    for band, (count, employees) in band_counts.items():
        bucket = totals[size_class(band)]
        bucket[0] += count
        bucket[1] += employees
        if count:
            bucket[2] = max(bucket[2], estimated_employees(band))
    all_employees = sum(employees for _count, employees, _top in totals.values())
    return [
        SizeClass(
            size=size,
            establishments=count,
            employees=employees,
            employees_share=share(employees, all_employees),
            caution=caution(establishments=count, employees=employees, largest=top)
            if count
            else "",
        )
        for size, (count, employees, top) in totals.items()
    ]


def employers(band_counts: Mapping[str, tuple[int, float]]) -> int:
    """Establishments of the bands with at least one employee."""
    return sum(
        count
        for band, (count, _employees) in band_counts.items()
        if estimated_employees(band)
    )


def dependence(largest: Sequence[float], *, total: float, top: int) -> float | None:
    """Share of the basin's employees in its ``top`` largest establishments.

    ``largest`` holds the employees of the largest establishments, any order.
    """
    if not total:
        return None
    return sum(sorted(largest, reverse=True)[:top]) / total


def dependence_caution(*, employers: int, top: int) -> str:
    """Why the share of the ``top`` largest is not a finding ("" if it is)."""
    minimum = MIN_EMPLOYERS_PER_RANK * top
    if employers >= minimum:
        return ""
    plural = "s" if employers > 1 else ""
    return (
        f"le bassin compte {employers} établissement{plural} employeur{plural} "
        f"(minimum {minimum} pour les {top} plus grands)"
    )


@dataclass(frozen=True)
class CohortSurvival:
    year: int
    created: int
    still_active: int
    survival_share: float | None

    @property
    def caution(self) -> str:
        """Why the share still active is not a finding ("" when it is)."""
        if self.created >= MIN_COHORT:
            return ""
        plural = "s" if self.created > 1 else ""
        return f"{self.created} création{plural} (minimum {MIN_COHORT})"


def creations_and_survival(
    cohorts: Mapping[int, tuple[int, int]], *, last_year: int, years: int = 10
) -> list[CohortSurvival]:
    """Establishments created each of the last ``years`` years, still active.

    ``cohorts`` maps a creation year to (created, still active). Years without
    any creation appear with zeros, so a chart shows the gap.
    """
    result = []
    for year in range(last_year - years + 1, last_year + 1):
        created, active = cohorts.get(year, (0, 0))
        result.append(CohortSurvival(year, created, active, share(active, created)))
    return result


def difficulty_rate(*, projects: float | None, difficult: float | None) -> float | None:
    """Share of hiring projects deemed difficult (BMO); None without projects."""
    return share(difficult, projects)
