"""What the generated SIRENE stock is calibrated on, and how.

Published national aggregates
-----------------------------
The project has no internet access beyond package registries. Two
publications were read (as stored copies of insee.fr pages) while writing
this; the other figures are rounded orders of magnitude recalled from
well-known INSEE publications, not re-downloaded: check them against the
source before quoting them anywhere else. They are good enough for a demo
that does not mislead (no sector at 97 % of a basin, manufacturing near its
real weight).

Read:

- INSEE, « Les entreprises en France », édition 2023 (Insee Références,
  6 December 2023), fiche « Emploi »: at 31 December 2021, France excluding
  Mayotte, 29.7 million people in employment, 9 in 10 of them salaried;
  3.4 million in industry (NAF B to E), 2.0 million in construction (80 %
  salaried), 0.6 million in agriculture (mostly self-employed), 14.8 million
  in market services, 9.0 million in non-market services (O, P, Q). Hence
  about 26.7 million salaried jobs, industry about 12.5 % of them (3.3
  million salaried) and manufacturing (C) about 11 %, construction about
  6 %, agriculture 1 %.
- INSEE, Flores, « Caractéristiques des établissements fin 2018 »,
  département de Vaucluse (84): of 21,812 employer establishments, 2,512
  had no employee at the end of the year, 15,904 had 1 to 9, 1,799 10 to 19,
  977 20 to 49 and 620 50 or more; 187,390 salaried jobs, 10.7 % of them in
  industry. The shares of the employer bands below follow this split (one
  département of about 0.8 % of France's population and close to its
  average structure, not a national table), the bands above 50 spread by a
  Pareto-like tail.

Recalled (orders of magnitude):

- INSEE, estimations de population au 1er janvier 2024: about 68.4 million
  inhabitants (France including Mayotte).
- INSEE, répertoire Sirene: about 14 million active establishments (état
  administratif « A ») in the stock of establishments, i.e. about 205 per
  1,000 inhabitants; most of them have no employee (micro-entrepreneurs,
  property companies, associations).
- Employer establishments: scaled from the Flores figures above (21,812 for
  0.82 % of the population), about 2.3 million establishments with at least
  one employee, i.e. about 16 % of the active ones.
- Shares of the NAF sections in active establishments (Sirene stock) and in
  salaried jobs by section (INSEE estimations d'emploi), consistent with the
  aggregates read above.

How the generator uses them
---------------------------
1. A joint table "section x headcount band" of active establishments is
   fitted by raking (iterative proportional fitting) on three margins: the
   sections' shares of establishments, the bands' shares, and each
   section's share of estimated employees (bands counted at their middle,
   as the diagnostic does); the last margin is met by tilting each
   section's bands towards larger or smaller ones.
2. Establishments go to the zones d'emploi in proportion to population
   (communes weighted by their population), so every zone has about the
   same number of establishments per inhabitant.
3. Each zone's mix of sections is tilted by its mix of hiring projects in
   France Travail's BMO survey (occupations mapped to the sections that
   employ them; the tilt is bounded to x0.5-x2), then the national mix is
   restored by raking over the zones.
4. No establishment may be larger than CAP_SHARE of its zone's expected
   employment: a sample of 100,000 rows cannot hold a 5,000-employee site
   without it being most of a basin. The employees of the bands above the
   cap go to more establishments of the largest bands kept, in the same
   section and zone, so each section's weight in employment is kept with
   as few extra employers as possible.

The generated stock is a sample: with ``rows`` rows it holds about
``rows x ACTIVE_SHARE`` active establishments, where France has 14 million.
Shares, quotients and rankings are comparable with the published ones;
counts are those of a sample.
"""

from __future__ import annotations

import bisect
import csv
import gzip
import math
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

from diagnostics.metrics import BAND_MIDPOINTS

POPULATION = 68.4e6
ACTIVE_ESTABLISHMENTS = 14.0e6
SALARIED_JOBS = 26.7e6
EMPLOYER_SHARE = 0.16  # of active establishments

# NAF section: (% of active establishments, % of salaried jobs).
SECTIONS = {
    "A": (5.0, 1.0),
    "B": (0.05, 0.1),
    "C": (4.5, 11.0),
    "D": (2.0, 0.6),
    "E": (0.3, 0.7),
    "F": (10.0, 6.0),
    "G": (13.0, 12.6),
    "H": (4.5, 5.8),
    "I": (5.0, 4.4),
    "J": (3.5, 3.8),
    "K": (4.0, 3.3),
    "L": (12.0, 0.9),
    "M": (11.0, 5.9),
    "N": (6.0, 8.4),
    "O": (1.0, 8.6),
    "P": (3.0, 7.2),
    "Q": (7.0, 14.4),
    "R": (2.5, 1.2),
    "S": (5.5, 2.4),
    "T": (0.05, 0.05),
    "U": (0.01, 0.05),
}
# Active establishments without an employee: how Sirene codes them.
NON_EMPLOYER_BANDS = {"NN": 72.0, "": 18.0, "00": 10.0}
# Employer establishments by band (% of employer establishments).
EMPLOYER_BANDS = {
    # 1 to 9: 82.4 % (Flores, Vaucluse, end of 2018)
    "01": 48.0,
    "02": 22.0,
    "03": 12.4,
    "11": 9.3,  # 10 to 19
    "12": 5.1,  # 20 to 49
    # 50 or more: 3.2 %
    "21": 1.8,
    "22": 0.8,
    "31": 0.15,
    "32": 0.28,
    "41": 0.11,
    "42": 0.04,
    "51": 0.017,
    "52": 0.003,
    "53": 0.0007,
}
BANDS = (*NON_EMPLOYER_BANDS, *EMPLOYER_BANDS)
# The largest establishment of a zone: at most this share of the zone's
# expected estimated employees.
CAP_SHARE = 0.15
# No more than this share of a zone's section may be employers.
MAX_EMPLOYER_SHARE = 0.95

# FAP 2021 domain (first letter of a BMO occupation code) -> NAF sections.
DOMAIN_SECTIONS = {
    "A": {"A": 1.0},
    "B": {"F": 1.0},
    "C": {"C": 1.0},
    "D": {"C": 1.0},
    "E": {"C": 0.8, "E": 0.2},
    "F": {"C": 1.0},
    "G": {"C": 0.6, "G": 0.4},
    "H": {"C": 1.0},
    "J": {"H": 0.85, "N": 0.15},
    "K": {"C": 1.0},
    "L": {"M": 0.5, "N": 0.5},
    "M": {"J": 1.0},
    "N": {"M": 1.0},
    "P": {"O": 1.0},
    "Q": {"K": 1.0},
    "R": {"G": 1.0},
    "S": {"I": 0.75, "C": 0.1, "G": 0.15},
    "T": {"N": 0.4, "S": 0.3, "Q": 0.3},
    "U": {"R": 0.6, "J": 0.4},
    "V": {"Q": 0.85, "R": 0.15},
    "W": {"P": 1.0},
    "X": {"S": 1.0},
}
TILT_POWER = 0.75
TILT_BOUNDS = (0.5, 2.0)
# A "*" cell of the BMO file is 0 to 4 projects: 2 in the middle.
BMO_SECRET = 2.0

BMO_FILE = "francetravail_bmo_2024.csv"
BMO_COMMUNES_FILE = "francetravail_bassins_bmo_communes.csv"


@contextmanager
def open_data(data_dir: Path, name: str):
    """A data file as text, plain or gzipped (``name`` or ``name.gz``)."""
    path = data_dir / name
    if path.exists():
        with path.open(encoding="utf-8", newline="") as file:
            yield file
        return
    with gzip.open(data_dir / f"{name}.gz", "rt", encoding="utf-8", newline="") as f:
        yield f


def data_exists(data_dir: Path, name: str) -> bool:
    return (data_dir / name).exists() or (data_dir / f"{name}.gz").exists()


# --- 1. Section x band table -------------------------------------------------


def _normalised(values: dict[str, float]) -> dict[str, float]:
    total = sum(values.values())
    return {key: value / total for key, value in values.items()}


def band_shares() -> dict[str, float]:
    """Share of each band among active establishments."""
    non = _normalised(NON_EMPLOYER_BANDS)
    employers = _normalised(EMPLOYER_BANDS)
    shares = {band: (1 - EMPLOYER_SHARE) * non[band] for band in NON_EMPLOYER_BANDS}
    shares.update({band: EMPLOYER_SHARE * employers[band] for band in EMPLOYER_BANDS})
    return shares


def mean_employees() -> float:
    """Estimated employees per active establishment (band middles)."""
    return sum(share * BAND_MIDPOINTS[band] for band, share in band_shares().items())


def _mean(row: dict[str, float]) -> float:
    total = sum(row.values())
    return sum(v * BAND_MIDPOINTS[b] for b, v in row.items()) / total if total else 0


def _tilted(row: dict[str, float], theta: float) -> dict[str, float]:
    return {
        b: v * math.exp(theta * math.log1p(BAND_MIDPOINTS[b])) for b, v in row.items()
    }


def _tilt_to_mean(row: dict[str, float], target: float) -> dict[str, float]:
    """The row tilted (exponentially, on log employees) to the mean ``target``."""
    low, high = -12.0, 12.0
    for _ in range(50):
        middle = (low + high) / 2
        if _mean(_tilted(row, middle)) < target:
            low = middle
        else:
            high = middle
    return _tilted(row, (low + high) / 2)


def section_band_table(iterations: int = 40) -> dict[str, dict[str, float]]:
    """P(section, band) of an active establishment, fitted by raking.

    Rows add up to the sections' shares of establishments and their
    employees to the sections' shares of jobs exactly; columns to the
    bands' shares up to the fit.
    """
    establishments = _normalised({s: e for s, (e, _j) in SECTIONS.items()})
    jobs = _normalised({s: j for s, (_e, j) in SECTIONS.items()})
    columns = band_shares()
    mean = mean_employees()
    table = {s: {b: establishments[s] * columns[b] for b in BANDS} for s in SECTIONS}
    for _ in range(iterations):
        for band in BANDS:
            total = sum(table[s][band] for s in SECTIONS)
            for section in SECTIONS:
                table[section][band] *= columns[band] / total
        for section, row in table.items():
            target = jobs[section] * mean / establishments[section]
            row = _tilt_to_mean(row, target)
            total = sum(row.values())
            table[section] = {
                b: v * establishments[section] / total for b, v in row.items()
            }
    return table


# --- 2-3. Zones: population and BMO mix ------------------------------------------


def bmo_section_mix(
    data_dir: Path, commune_zone: dict[str, str], populations: dict[str, int]
) -> dict[str, dict[str, float]]:
    """zone code -> section -> hiring projects of the BMO survey, spread from
    France Travail's basins over the zones by the population of their
    communes; empty when the BMO files are not in the data folder."""
    if not (
        data_exists(data_dir, BMO_FILE) and data_exists(data_dir, BMO_COMMUNES_FILE)
    ):
        return {}
    basin_zones: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    with open_data(data_dir, BMO_COMMUNES_FILE) as file:
        for row in csv.DictReader(file):
            zone = commune_zone.get(row["code_commune_insee"])
            if zone is not None:
                weight = max(populations.get(row["code_commune_insee"], 0), 1)
                basin_zones[row["code_bassin_BMO"]][zone] += weight
    shares = {
        basin: {zone: weight / sum(zones.values()) for zone, weight in zones.items()}
        for basin, zones in basin_zones.items()
    }
    mix: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    with open_data(data_dir, BMO_FILE) as file:
        reader = csv.DictReader(file)
        basin_column = next(c for c in reader.fieldnames if c.startswith("BE"))
        for row in reader:
            sections = DOMAIN_SECTIONS.get(row["Code métier BMO"][:1])
            zones = shares.get(row[basin_column])
            if not sections or not zones:
                continue
            cell = row["met"].strip()
            projects = BMO_SECRET if cell == "*" else float(cell or 0)
            for zone, zone_share in zones.items():
                for section, section_share in sections.items():
                    mix[zone][section] += projects * zone_share * section_share
    return mix


def zone_section_weights(
    zone_population: dict[str, float], bmo: dict[str, dict[str, float]]
) -> dict[str, dict[str, float]]:
    """zone -> section -> share of its active establishments.

    The national shares, tilted by the zone's BMO mix against France's, then
    raked so that France keeps the national shares.
    """
    establishments = _normalised({s: e for s, (e, _j) in SECTIONS.items()})
    national = defaultdict(float)
    for sections in bmo.values():
        for section, projects in sections.items():
            national[section] += projects
    national_total = sum(national.values()) or 1.0
    low, high = TILT_BOUNDS
    tilts = {}
    for zone in zone_population:
        local = bmo.get(zone, {})
        local_total = sum(local.values())
        tilts[zone] = {}
        for section in SECTIONS:
            if not local_total or not national.get(section):
                tilts[zone][section] = 1.0
                continue
            ratio = (local.get(section, 0.0) / local_total) / (
                national[section] / national_total
            )
            tilts[zone][section] = min(high, max(low, ratio**TILT_POWER))
    correction = dict.fromkeys(SECTIONS, 1.0)
    population = sum(zone_population.values())
    weights = {}
    for _ in range(8):
        weights = {}
        for zone in zone_population:
            raw = {
                s: establishments[s] * tilts[zone][s] * correction[s] for s in SECTIONS
            }
            weights[zone] = _normalised(raw)
        for section in SECTIONS:
            achieved = sum(
                weights[zone][section] * people / population
                for zone, people in zone_population.items()
            )
            correction[section] *= establishments[section] / achieved
    return weights


# --- 4. Bands of a zone's section ---------------------------------------------------


def capped_bands(row: dict[str, float], *, cap: float) -> dict[str, float]:
    """A section's band distribution (shares of its establishments) without
    the employer bands whose middle exceeds ``cap``.

    Their employees go to more establishments of the two largest bands kept
    (half each), taken from the non-employers: the section keeps its weight
    in employment with as few extra employers as the cap allows. Never more
    than MAX_EMPLOYER_SHARE of the section's establishments employ; past
    that, employees are lost (only in zones too small for the sample).
    """
    total = sum(row.values())
    row = {band: value / total for band, value in row.items()}
    kept = [b for b in row if BAND_MIDPOINTS[b] and BAND_MIDPOINTS[b] <= cap]
    if not kept:
        kept = ["01"]
    removed = sum(
        value * BAND_MIDPOINTS[band]
        for band, value in row.items()
        if BAND_MIDPOINTS[band] and band not in kept
    )
    result = {b: v for b, v in row.items() if not BAND_MIDPOINTS[b] or b in kept}
    if removed:
        top = sorted(kept, key=BAND_MIDPOINTS.__getitem__)[-2:]
        extra = {b: removed / len(top) / BAND_MIDPOINTS[b] for b in top}
        employers = sum(v for b, v in result.items() if BAND_MIDPOINTS[b])
        room = max(MAX_EMPLOYER_SHARE - employers, 0.0)
        scale = min(1.0, room / sum(extra.values()))
        for band, value in extra.items():
            result[band] += scale * value
    # The non-employers make up the rest.
    non_employers = [b for b in result if not BAND_MIDPOINTS[b]]
    left = 1 - sum(v for b, v in result.items() if BAND_MIDPOINTS[b])
    non_total = sum(result[b] for b in non_employers)
    for band in non_employers:
        result[band] = left * result[band] / non_total
    return result


def cumulative(weights: dict[str, float]) -> tuple[list[str], list[float]]:
    keys, cumulated, total = [], [], 0.0
    for key, weight in weights.items():
        if weight > 0:
            total += weight
            keys.append(key)
            cumulated.append(total)
    return keys, cumulated


def pick(table: tuple[list[str], list[float]], u: float) -> str:
    """The key of ``table`` (from :func:`cumulative`) at uniform draw ``u``."""
    keys, cumulated = table
    return keys[min(bisect.bisect(cumulated, u * cumulated[-1]), len(keys) - 1)]


def published() -> dict[str, float]:
    """The national aggregates the generator aims at, for the report."""
    jobs = _normalised({s: j for s, (_e, j) in SECTIONS.items()})
    establishments = _normalised({s: e for s, (e, _j) in SECTIONS.items()})
    return {
        "active_per_1000": 1000 * ACTIVE_ESTABLISHMENTS / POPULATION,
        "employees_per_active": SALARIED_JOBS / ACTIVE_ESTABLISHMENTS,
        "employer_share": EMPLOYER_SHARE,
        "manufacturing_jobs": jobs["C"],
        "industry_jobs": sum(jobs[s] for s in "BCDE"),
        **{f"establishments_{s}": establishments[s] for s in SECTIONS},
        **{f"jobs_{s}": jobs[s] for s in SECTIONS},
        **{f"band_{b}": v for b, v in band_shares().items()},
    }


# --- Checking a generated stock ------------------------------------------------


def measure(path: Path, *, commune_zone: dict[str, str], division_section) -> dict:
    """What a diagnostic would compute from a stock file, in aggregate.

    ``commune_zone`` maps a commune (or arrondissement) code to its zone,
    ``division_section`` a NAF division to its section. Establishments are
    the active ones, employees the band middles, as in the diagnostic.
    """
    sections: dict[str, list] = defaultdict(lambda: [0, 0.0])
    bands: dict[str, int] = defaultdict(int)
    divisions: dict[str, float] = defaultdict(float)
    zones: dict[str, dict] = defaultdict(
        lambda: {"count": 0, "divisions": defaultdict(lambda: [0, 0.0, 0.0]), "top": []}
    )
    with _open_stock(path) as file:
        for row in csv.DictReader(file):
            if row["etatAdministratifEtablissement"] != "A":
                continue
            band = row["trancheEffectifsEtablissement"]
            employees = BAND_MIDPOINTS.get(band, 0.0)
            division = row["activitePrincipaleEtablissement"][:2]
            section = division_section.get(division, "")
            bands[band] += 1
            sections[section][0] += 1
            sections[section][1] += employees
            divisions[division] += employees
            zone = commune_zone.get(row["codeCommuneEtablissement"])
            if zone is None:
                continue
            data = zones[zone]
            data["count"] += 1
            entry = data["divisions"][division]
            entry[0] += 1
            entry[1] += employees
            entry[2] = max(entry[2], employees)
            if employees:
                data["top"].append(employees)
    return _summary(sections, bands, divisions, zones)


@contextmanager
def _open_stock(path: Path):
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", newline="") as file:
        yield file


def _quotient(jobs, total, national, national_total) -> float:
    if not (total and national and national_total):
        return 0.0
    return (jobs / total) / (national / national_total)


def _summary(sections, bands, national_divisions, zones) -> dict:
    """France-wide shares; per zone, what its divisions weigh (the location
    quotient's reference is every active establishment, as in the product)."""
    active = sum(count for count, _employees in sections.values())
    employees = sum(employees for _count, employees in sections.values())
    national_jobs = sum(national_divisions.values())
    top5, max_share, flagged, single = [], [], 0, 0
    per_zone = {}
    for zone, data in zones.items():
        total = sum(jobs for _c, jobs, _l in data["divisions"].values())
        if not total:
            continue
        top5.append(sum(sorted(data["top"], reverse=True)[:5]) / total)
        for division, (count, jobs, _largest) in data["divisions"].items():
            quotient = _quotient(
                jobs, total, national_divisions[division], national_jobs
            )
            max_share.append((jobs / total, zone, division))
            # The old rule: LQ >= 1.25 and 100 employees, whatever the counts.
            if quotient >= 1.25 and jobs >= 100:
                flagged += 1
                single += count == 1
        per_zone[zone] = {
            "establishments": data["count"],
            "employees": total,
            "divisions": {
                division: {
                    "establishments": count,
                    "employees": jobs,
                    "share": jobs / total,
                    "quotient": _quotient(
                        jobs, total, national_divisions[division], national_jobs
                    ),
                }
                for division, (count, jobs, _largest) in data["divisions"].items()
            },
        }
    top5.sort()
    return {
        "active": active,
        "employees": employees,
        "employees_per_active": employees / active if active else 0.0,
        "section_establishments": {s: c / active for s, (c, _e) in sections.items()},
        "section_jobs": {s: e / employees for s, (_c, e) in sections.items()},
        "bands": {band: count / active for band, count in bands.items()},
        "median_top5": top5[len(top5) // 2] if top5 else None,
        "largest_division_share": max(max_share) if max_share else None,
        "old_rule_flagged": flagged,
        "old_rule_single": single,
        "zones": per_zone,
    }
