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


@dataclass(frozen=True)
class SectorIndicator:
    code: str
    label: str
    establishments: int
    employees: float
    employees_share: float | None
    location_quotient: float | None
    specialised: bool


def sector_indicators(
    *,
    local: Mapping[str, tuple[int, float]],
    national: Mapping[str, tuple[int, float]],
    labels: Mapping[str, str] | None = None,
    threshold: float = SPECIALISATION_THRESHOLD,
    min_employees: float = MIN_SPECIALISATION_EMPLOYEES,
) -> list[SectorIndicator]:
    """Sectors of a basin with their location quotient, largest first.

    ``local`` and ``national`` map a sector code to (establishments,
    employees). A sector is flagged as a specialisation when its LQ is at
    least ``threshold`` and it employs at least ``min_employees`` locally, so
    that three people in a rare activity are not called a specialisation.
    """
    labels = labels or {}
    local_total = sum(employees for _count, employees in local.values())
    national_total = sum(employees for _count, employees in national.values())
    indicators = []
    for code, (count, employees) in local.items():
        quotient = location_quotient(
            local=employees,
            local_total=local_total,
            national=national.get(code, (0, 0.0))[1],
            national_total=national_total,
        )
        indicators.append(
            SectorIndicator(
                code=code,
                label=labels.get(code, code),
                establishments=count,
                employees=employees,
                employees_share=share(employees, local_total),
                location_quotient=quotient,
                specialised=quotient is not None
                and quotient >= threshold
                and employees >= min_employees,
            )
        )
    indicators.sort(key=lambda i: (-i.employees, -i.establishments, i.code))
    return indicators


def top_specialisations(
    indicators: Iterable[SectorIndicator], *, limit: int = 10
) -> list[SectorIndicator]:
    """Flagged specialisations, highest location quotient first."""
    flagged = [i for i in indicators if i.specialised]
    flagged.sort(key=lambda i: (-(i.location_quotient or 0), -i.employees, i.code))
    return flagged[:limit]


def size_structure(
    band_counts: Mapping[str, tuple[int, float]],
) -> list[tuple[str, int, float, float | None]]:
    """(size class, establishments, employees, employees share) in TPE..GE order.

    ``band_counts`` maps a headcount band to (establishments, employees).
    """
    totals = {size: [0, 0.0] for size in SIZE_CLASSES}
    for band, (count, employees) in band_counts.items():
        bucket = totals[size_class(band)]
        bucket[0] += count
        bucket[1] += employees
    all_employees = sum(employees for _count, employees in totals.values())
    return [
        (size, count, employees, share(employees, all_employees))
        for size, (count, employees) in totals.items()
    ]


def dependence(largest: Sequence[float], *, total: float, top: int) -> float | None:
    """Share of the basin's employees in its ``top`` largest establishments.

    ``largest`` holds the employees of the largest establishments, any order.
    """
    if not total:
        return None
    return sum(sorted(largest, reverse=True)[:top]) / total


@dataclass(frozen=True)
class CohortSurvival:
    year: int
    created: int
    still_active: int
    survival_share: float | None


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
