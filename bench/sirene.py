"""Seeded generator of SIRENE establishment stock files (StockEtablissement).

Writes rows in the official ``StockEtablissement_utf8.csv`` format: UTF-8,
comma separated, one header line, fields quoted only when they contain a
comma, a double quote or a line break (as the INSEE file does), ``\\n`` line
ends. The header is read from ``sirene_headers_2026.txt`` in the data folder
(``settings.DATA_DIR``; 54 columns); ``legacy=True`` writes the older
48-column layout.

The stock is fictitious but calibrated (see :mod:`bench.calibration` for the
published figures and the method): establishments spread over the zones
d'emploi by population, each zone's sections tilted by its BMO hiring
projects, national shares of sections, headcount bands and salaried jobs
(manufacturing about 11-12 %) kept, and no establishment larger than a
share of its zone's expected employment, so no basin of a small sample is
one holding. ``python bench/sirene.py --check`` prints the generated
aggregates against the published ones.

What else makes the rows realistic enough to benchmark and test an importer:

- SIREN (8 digits + Luhn key) and SIRET (SIREN + NIC, Luhn-valid), unique;
  firms with several establishments (one of them the head office);
- creation dates skewed to recent years; about 60 % active (``A``) and 40 %
  closed (``F``), old establishments more often closed;
- NAF rév. 2 codes drawn from the 732 real sub-classes (within a section,
  a few common sub-classes weigh more), plus a small share of old
  nomenclatures (``NAFRev1``, ``NAF1993``) on old closed establishments;
- communes weighted by population; Paris, Lyon and Marseille get
  arrondissement codes;
- about 3 % non-diffusible establishments (``statutDiffusionEtablissement``
  ``P``) whose address fields read ``[ND]``;
- plausible addresses (number, street type, street name, postcode, BAN id,
  Lambert 93 coordinates), with a few names containing commas and quotes.

The first row's ``enseigne3Etablissement`` reads ``GENERATED_MARKER``: a
valid value of the format that no real stock carries, by which the product
recognises a generated stock and labels its figures as demo data.

The NAF 2025 column (``activitePrincipaleNAF25Etablissement``) repeats the
rév. 2 code for active establishments: the official NAF 2025 correspondence
table is not in the data folder, and the importer reads it as a code only.

Streaming: rows are produced in chunks and written as they come, so memory
stays flat whatever ``rows``. Deterministic: the same seed gives the same
bytes. About 30 µs per row on this machine.

CLI: ``python bench/sirene.py --rows N --seed S --out FILE [--legacy]``, or
``--check`` to print the calibration of ``--rows`` generated rows.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import itertools
import json
import math
import os
import random
import sys
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
if str(REPO_DIR) not in sys.path:  # run as a script: bench/ and diagnostics/
    sys.path.insert(0, str(REPO_DIR))

from bench import calibration  # noqa: E402

HEADER_FILE = "sirene_headers_2026.txt"
ZE_COMMUNES_FILE = "insee_ze2020_communes_geo2023.csv"
COG_COMMUNES_FILE = "etalab_cog2026_communes.csv"
NAF_FIXTURE = REPO_DIR / "fixtures" / "naf_rev2.json"

# Columns added after the 2019-2023 stock files (48 columns).
LEGACY_MISSING = (
    "dernierNumeroVoieEtablissement",
    "indiceRepetitionDernierNumeroVoieEtablissement",
    "identifiantAdresseEtablissement",
    "coordonneeLambertAbscisseEtablissement",
    "coordonneeLambertOrdonneeEtablissement",
    "activitePrincipaleNAF25Etablissement",
)
ND = "[ND]"
CHUNK = 5_000
REFERENCE_YEAR = 2025  # last full year of the stock
HEADCOUNT_YEARS = (("2023", 80), ("2022", 12), ("2021", 5), ("2020", 3))

# Sub-classes much more frequent than their section's average.
SUBCLASS_BOOSTS = {
    "68.20B": 4,
    "68.20A": 2,
    "47.11D": 4,
    "47.11B": 4,
    "56.10A": 12,
    "56.10C": 6,
    "43.21A": 6,
    "43.22A": 6,
    "43.31Z": 4,
    "43.32A": 5,
    "41.20A": 5,
    "70.22Z": 15,
    "86.21Z": 8,
    "86.90E": 5,
    "96.02A": 8,
    "49.32Z": 6,
    "81.21Z": 4,
    "62.01Z": 5,
    "62.02A": 4,
    "64.20Z": 12,
    "35.11Z": 3,
    "01.11Z": 5,
    "01.21Z": 5,
    "25.62B": 3,
    "10.71C": 4,
    "94.99Z": 5,
    "47.91B": 5,
    "90.01Z": 4,
}
# Written in enseigne3Etablissement of the first row (see the docstring);
# diagnostics.provenance reads it.
GENERATED_MARKER = "DONNEES DE DEMONSTRATION GENEREES"
MARKER_COLUMN = "enseigne3Etablissement"
# Closed establishments: share that still shows a headcount band.
CLOSED_WITH_BAND = 0.3
NAF_OLD = (
    ("NAFRev1", ("52.1D", "55.3A", "74.1J", "45.2B", "70.2A", "52.4C", "15.8C")),
    ("NAF1993", ("60.2M", "85.1C", "28.5D", "51.1P", "74.8K", "01.1A", "93.0E")),
)
STREET_TYPES = (
    ("RUE", 45),
    ("AV", 12),
    ("BD", 5),
    ("PL", 5),
    ("CHE", 8),
    ("RTE", 8),
    ("ALL", 4),
    ("IMP", 4),
    ("ZA", 3),
    ("ZI", 2),
    ("LD", 3),
    ("QUAI", 1),
)
STREET_NAMES = (
    "DE LA GARE",
    "JEAN JAURES",
    "DU GENERAL DE GAULLE",
    "VICTOR HUGO",
    "DE LA REPUBLIQUE",
    "PASTEUR",
    "DES ACACIAS",
    "DU MOULIN",
    "DE L'EGLISE",
    "DES ECOLES",
    "DU STADE",
    "DE PARIS",
    "DE LA LIBERATION",
    "LOUIS ARAGON",
    "DU 8 MAI 1945",
    "DES ARTISANS",
    "DE L'INDUSTRIE",
    "DES PRES",
    "DU CHATEAU",
    "GAMBETTA",
    "JEAN MOULIN",
    "DES TILLEULS",
    "DU COMMERCE",
    "DE LA FORGE",
    "DES PLATANES",
)
COMPLEMENTS = (
    "ZONE INDUSTRIELLE",
    "ZONE ARTISANALE DES PRES",
    "BATIMENT B",
    "CENTRE COMMERCIAL LES ARCADES",
    "PARC D'ACTIVITES DU CHENE",
    "LIEU DIT LES VIGNES",
    "2EME ETAGE",
)
SIGN_WORDS = (
    "ATELIER",
    "BOULANGERIE",
    "GARAGE",
    "CABINET",
    "MENUISERIE",
    "AU BON ACCUEIL",
    "LE FOURNIL",
    "TRANSPORTS",
    "MECANIQUE",
    "L'ESCALE",
    "PHARMACIE",
    "LE COMPTOIR",
    "SERVICES",
    "TECHNIC",
)
FAMILY_NAMES = (
    "MARTIN",
    "BERNARD",
    "DUBOIS",
    "THOMAS",
    "ROBERT",
    "RICHARD",
    "PETIT",
    "DURAND",
    "LEROY",
    "MOREAU",
    "SIMON",
    "LAURENT",
    "LEFEBVRE",
    "MICHEL",
    "GARCIA",
    "BONNET",
)


# --- Luhn ----------------------------------------------------------------

_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def luhn_sum(digits: str) -> int:
    """Luhn sum of a string of digits, doubling every second digit from the right."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        total += _DOUBLED[value] if position % 2 else value
    return total


def luhn_valid(digits: str) -> bool:
    return digits.isdigit() and luhn_sum(digits) % 10 == 0


_DIGIT = {str(value): value for value in range(10)}
_DOUBLED_DIGIT = {str(value): _DOUBLED[value] for value in range(10)}


def luhn_complete(prefix: str) -> str:
    """Append the digit that makes ``prefix`` Luhn-valid.

    Once the digit is appended, the prefix's last digit is doubled: its sum
    is read in one pass and the digit is what brings it to a multiple of 10.
    """
    doubled, kept = _DOUBLED_DIGIT, _DIGIT
    total = 0
    odd = True
    for char in reversed(prefix):
        total += doubled[char] if odd else kept[char]
        odd = not odd
    return f"{prefix}{-total % 10}"


# --- Reference data ----------------------------------------------------------


def default_data_dir() -> Path:
    """The official data folder: settings.DATA_DIR when Django is configured."""
    try:
        from django.conf import settings

        if settings.configured:
            return Path(settings.DATA_DIR)
    except Exception:  # noqa: BLE001, S110 - Django is optional for the CLI
        pass
    return Path(os.environ.get("BASSINS_DATA_DIR", REPO_DIR.parent / "shared" / "data"))


def official_header(data_dir: Path, *, legacy: bool = False) -> list[str]:
    """The StockEtablissement header line, read from the data folder."""
    with calibration.open_data(data_dir, HEADER_FILE) as file:
        text = file.read()
    for line in text.splitlines():
        if line.startswith("siren,nic,siret,"):
            columns = line.strip().split(",")
            if legacy:
                columns = [c for c in columns if c not in LEGACY_MISSING]
            return columns
    raise ValueError(f"No StockEtablissement header in {data_dir / HEADER_FILE}")


@dataclass(frozen=True)
class Commune:
    code: str
    name: str
    postcode: str
    zone: str  # zone d'emploi 2020


def _sirene_label(name: str) -> str:
    """Commune names as SIRENE writes them: upper case, no accents."""
    text = unicodedata.normalize("NFKD", name)
    return "".join(c for c in text if not unicodedata.combining(c)).upper()


@dataclass
class Places:
    """Communes of the 306 zones d'emploi, weighted by population."""

    communes: list[Commune]
    cumulative: list[float]  # cumulative population weights of ``communes``
    populations: dict[str, int]  # commune code (as in the zone file) -> people
    commune_zone: dict[str, str]

    @property
    def zone_population(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for code, zone in self.commune_zone.items():
            totals[zone] = totals.get(zone, 0.0) + max(self.populations[code], 20)
        return totals


def load_places(data_dir: Path) -> Places:
    """Communes with their zone and population (COG 2026 populations;
    Paris, Lyon and Marseille split into their arrondissements)."""
    cog = {}
    arrondissements: dict[str, list[tuple[str, str, str, int]]] = {}
    with calibration.open_data(data_dir, COG_COMMUNES_FILE) as f:
        for row in csv.DictReader(f):
            population = int(row["population"] or 0)
            postcode = (row["codes_postaux"] or "").split(" ")[0]
            if row["type"] == "commune-actuelle":
                cog[row["code"]] = (population, postcode)
            elif row["type"] == "arrondissement-municipal":
                arrondissements.setdefault(
                    row["commune_parente_ou_chef_lieu"], []
                ).append((row["code"], row["nom"], postcode, population))
    communes, cumulative, total = [], [], 0.0
    populations, commune_zone = {}, {}
    with calibration.open_data(data_dir, ZE_COMMUNES_FILE) as f:
        for row in csv.DictReader(f):
            code, zone = row["CODGEO"], row["ZE2020"]
            if code in arrondissements:
                # SIRENE locates establishments in the arrondissement.
                parts = arrondissements[code]
            else:
                # Communes merged since 2023 keep a small weight.
                population, postcode = cog.get(code, (100, ""))
                postcode = postcode or f"{code[:2]}000"
                parts = [(code, row["LIBGEO"], postcode, population)]
            populations[code] = sum(part[3] for part in parts)
            commune_zone[code] = zone
            for part_code, name, postcode, population in parts:
                total += max(population, 20)
                communes.append(Commune(part_code, _sirene_label(name), postcode, zone))
                cumulative.append(total)
    return Places(communes, cumulative, populations, commune_zone)


def division_sections(records: list | None = None) -> dict[str, str]:
    """NAF rév. 2 division -> its section (from the NAF fixture)."""
    if records is None:
        records = json.loads(NAF_FIXTURE.read_text(encoding="utf-8"))
    return {
        r["pk"]: r["fields"]["section"]
        for r in records
        if r["model"] == "diagnostics.nafdivision"
    }


def load_naf(path: Path = NAF_FIXTURE) -> dict[str, tuple[list[str], list[float]]]:
    """Section -> its NAF rév. 2 sub-classes with cumulative weights (a few
    common sub-classes weigh more than their section's average)."""
    records = json.loads(path.read_text(encoding="utf-8"))
    division_section = division_sections(records)
    weights: dict[str, dict[str, float]] = {}
    for r in records:
        if r["model"] == "diagnostics.nafsubclass":
            section = division_section[r["fields"]["division"]]
            weights.setdefault(section, {})[r["pk"]] = SUBCLASS_BOOSTS.get(r["pk"], 1)
    return {
        section: calibration.cumulative(codes) for section, codes in weights.items()
    }


def _cumulate(pairs):
    values, cumulative, total = [], [], 0.0
    for value, weight in pairs:
        total += weight
        values.append(value)
        cumulative.append(total)
    return values, cumulative


def _creation_years():
    """Years of creation: recent years weigh more (about a million creations
    a year nowadays, far fewer before 2009)."""
    return _cumulate(
        (year, 1.0 + 10.0 * math.exp((year - REFERENCE_YEAR) / 7.0))
        for year in range(1950, REFERENCE_YEAR + 1)
    )


def _active_probability(year: int) -> float:
    """Survival falls with age: about 60 % of the stock is active."""
    return 0.36 + 0.62 * math.exp(-(REFERENCE_YEAR - year) / 9.0)


def active_share() -> float:
    """Expected share of active rows, for the zones' expected sizes."""
    years, cumulated = _creation_years()
    weights = [b - a for a, b in zip([0.0, *cumulated], cumulated, strict=False)]
    return sum(
        w * _active_probability(y) for y, w in zip(years, weights, strict=True)
    ) / sum(weights)


# --- Generation ---------------------------------------------------------------


class Generator:
    """Produces establishment rows (tuples in header order) for one seed.

    The zone of a row follows from its commune (drawn by population); its
    section from the zone's mix, its headcount band from the zone and
    section (see :mod:`bench.calibration`), its sub-class from the section.
    """

    def __init__(self, *, seed: int, data_dir: Path | None = None, legacy=False):
        self.data_dir = data_dir or default_data_dir()
        self.legacy = legacy
        self.header = official_header(self.data_dir, legacy=legacy)
        self._keep = tuple(
            column not in LEGACY_MISSING for column in official_header(self.data_dir)
        )
        self._marker_at = self.header.index(MARKER_COLUMN)
        self.rng = random.Random(seed)
        places = load_places(self.data_dir)
        self.communes, self.commune_weights = places.communes, places.cumulative
        self.zone_population = places.zone_population
        bmo = calibration.bmo_section_mix(
            self.data_dir, places.commune_zone, places.populations
        )
        self.zone_sections = {
            zone: calibration.cumulative(weights)
            for zone, weights in calibration.zone_section_weights(
                self.zone_population, bmo
            ).items()
        }
        self.section_bands = calibration.section_band_table()
        self.naf = load_naf()
        self.street_types = _cumulate(STREET_TYPES)
        self.headcount_years = _cumulate(HEADCOUNT_YEARS)
        self.years = _creation_years()
        # SIRENs are a permutation of 8-digit numbers: unique, not sequential.
        self._siren_step = 39_916_801  # prime, coprime with 10**8
        self._siren_offset = self.rng.randrange(10**8)
        self._bands: dict = {}

    def band_tables(self, rows: int) -> dict[tuple[str, str], tuple]:
        """(zone, section) -> cumulative band table for a stock of ``rows``:
        no establishment above CAP_SHARE of the zone's expected employees."""
        expected = rows * active_share() / sum(self.zone_population.values())
        mean = calibration.mean_employees()
        tables = {}
        for zone, people in self.zone_population.items():
            cap = calibration.CAP_SHARE * expected * people * mean
            for section, row in self.section_bands.items():
                tables[zone, section] = calibration.cumulative(
                    calibration.capped_bands(row, cap=cap)
                )
        return tables

    def _siren(self, firm_number: int) -> str:
        body = (firm_number * self._siren_step + self._siren_offset) % 10**8
        return luhn_complete(f"{body:08d}")

    def rows(self, count: int) -> Iterator[tuple[str, ...]]:
        self._bands = self.band_tables(count)
        firm_number = 0
        produced = 0
        firm: list = []
        while produced < count:
            size = min(CHUNK, count - produced)
            draws = self._draw(size)
            for i in range(size):
                if not firm:
                    firm = self._new_firm(firm_number)
                    firm_number += 1
                # firm: [siren, next NIC number, establishments left, head NIC]
                siren, nic_number = firm[0], firm[1]
                nic = luhn_complete(f"{siren}{nic_number:04d}")[9:]
                head_office = nic_number == firm[3]
                firm[1] += 1
                firm[2] -= 1
                if firm[2] == 0:
                    firm = []
                row = self._row(draws, i, siren, nic, head_office)
                if produced == 0 and i == 0:
                    at = self._marker_at
                    row = (*row[:at], GENERATED_MARKER, *row[at + 1 :])
                yield row
            produced += size

    def _new_firm(self, firm_number: int) -> list:
        rng = self.rng
        # 85 % single-establishment firms; chains and networks otherwise.
        count = 1
        if rng.random() >= 0.85:
            count = min(int(rng.paretovariate(1.3)) + 1, 400)
        first_nic = rng.randrange(1, 40)
        return [self._siren(firm_number), first_nic, count, first_nic]

    def _draw(self, size: int) -> dict[str, list]:
        rng = self.rng
        return {
            "commune": rng.choices(
                self.communes, cum_weights=self.commune_weights, k=size
            ),
            "year": rng.choices(self.years[0], cum_weights=self.years[1], k=size),
            "street": rng.choices(
                self.street_types[0], cum_weights=self.street_types[1], k=size
            ),
            "u": [rng.random() for _ in range(size)],
        }

    def _row(self, draws, i, siren, nic, head_office) -> tuple[str, ...]:
        rng = self.rng
        random_ = rng.random
        pick = calibration.pick
        commune = draws["commune"][i]
        created_year = draws["year"][i]
        u = draws["u"][i]
        age = REFERENCE_YEAR - created_year
        created = date(created_year, 1, 1) + timedelta(days=int(u * 364))
        active = random_() < _active_probability(created_year)
        section = pick(self.zone_sections[commune.zone], random_())
        naf_code = pick(self.naf[section], random_())
        nomenclature = "NAFRev2"
        if not active and created_year < 2008 and random_() < 0.25:
            nomenclature, codes = NAF_OLD[random_() < 0.5]
            naf_code = codes[int(u * 1000) % len(codes)]
        band = ""
        if active or random_() < CLOSED_WITH_BAND:
            band = pick(self._bands[commune.zone, section], random_())
        headcount_year = ""
        if band and band != "NN":
            years = self.headcount_years
            headcount_year = years[0][
                bisect.bisect(years[1], rng.random() * years[1][-1])
            ]
            if not active:
                headcount_year = str(min(int(headcount_year), created_year + 5))
        employer = "O" if band not in ("", "NN") else "N"
        if active:
            start = created
            status = "A"
        else:
            start = created + timedelta(days=int(rng.random() * 365 * min(age, 20)))
            start = min(start, date(REFERENCE_YEAR, 12, 31))
            status = "F"
        periods = 1 if active else 2
        if rng.random() < 0.2:
            periods += 1 + int(rng.random() * 4)
        processed = start + timedelta(days=int(rng.random() * 400))
        processed = min(processed, date(2026, 1, 15))
        processed_at = (
            f"{processed.isoformat()}T{int(u * 24) % 24:02d}:"
            f"{int(u * 1440) % 60:02d}:{int(u * 86400) % 60:02d}.000"
        )

        diffusible = rng.random() >= 0.03
        street_type = draws["street"][i]
        number = str(1 + int(rng.random() * 180)) if rng.random() < 0.85 else ""
        repeat = ("B" if rng.random() < 0.7 else "T") if rng.random() < 0.03 else ""
        street = STREET_NAMES[int(rng.random() * len(STREET_NAMES))]
        complement = ""
        if rng.random() < 0.08:
            complement = COMPLEMENTS[int(rng.random() * len(COMPLEMENTS))]
        special = ""
        cedex_code = cedex_label = ""
        if rng.random() < 0.02:
            special = f"BP {10 + int(rng.random() * 900)}"
        if rng.random() < 0.01:
            cedex_code = commune.postcode[:2] + f"{int(rng.random() * 999):03d}"
            cedex_label = f"{commune.name} CEDEX"
        address_id = ""
        x = y = ""
        if rng.random() < 0.85:
            address_id = (
                f"{commune.code}_{int(rng.random() * 9999):04d}_{int(number or 0):05d}"
            )
            x = f"{100000 + rng.random() * 1140000:.1f}"
            y = f"{6050000 + rng.random() * 1050000:.1f}"
        sign = name = ""
        if rng.random() < 0.3:
            sign = (
                f"{SIGN_WORDS[int(rng.random() * len(SIGN_WORDS))]} "
                f"{FAMILY_NAMES[int(rng.random() * len(FAMILY_NAMES))]}"
            )
            if rng.random() < 0.05:
                sign += ", PERE ET FILS"
            elif rng.random() < 0.01:
                sign = f'"{sign}"'
        if rng.random() < 0.1:
            name = f"{FAMILY_NAMES[int(rng.random() * len(FAMILY_NAMES))]} {section}"
        trade_register = ""
        if section in "CFGS" and rng.random() < 0.1 and nomenclature == "NAFRev2":
            # APRM code: the NAF code without its dot plus one letter.
            trade_register = naf_code.replace(".", "") + "Z"
        if not diffusible:
            complement = number = repeat = street_type = street = ND
            special = address_id = x = y = ND
            sign = name = ND
        naf25 = naf_code if active and nomenclature == "NAFRev2" else ""

        row = (
            siren,
            nic,
            siren + nic,
            "O" if diffusible else "P",
            created.isoformat(),
            band,
            headcount_year,
            trade_register,
            processed_at,
            "true" if head_office else "false",
            str(periods),
            complement,
            number,
            repeat,
            "",  # dernierNumeroVoieEtablissement
            "",  # indiceRepetitionDernierNumeroVoieEtablissement
            street_type,
            street,
            commune.postcode,
            commune.name,
            "",  # libelleCommuneEtrangerEtablissement
            special,
            commune.code,
            cedex_code,
            cedex_label,
            "",  # codePaysEtrangerEtablissement
            "",  # libellePaysEtrangerEtablissement
            address_id,
            x,
            y,
            *("",) * 14,  # second address, almost always empty
            start.isoformat(),
            status,
            sign,
            "",
            "",
            name,
            naf_code,
            nomenclature,
            employer,
            naf25,
        )
        if self.legacy:
            return tuple(
                value for value, keep in zip(row, self._keep, strict=True) if keep
            )
        return row


def write(
    path: Path | str,
    *,
    rows: int,
    seed: int,
    legacy: bool = False,
    data_dir: Path | None = None,
) -> int:
    """Write a StockEtablissement file of ``rows`` rows; returns the row count."""
    generator = Generator(seed=seed, data_dir=data_dir, legacy=legacy)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        f.write(",".join(generator.header) + "\n")
        stream = generator.rows(rows)
        while batch := list(itertools.islice(stream, CHUNK)):
            writer.writerows(batch)
    tmp.replace(path)  # a file that exists is complete
    return rows


def check(path: Path, *, data_dir: Path | None = None) -> str:
    """The aggregates of a stock file against the published ones, as text."""
    data_dir = data_dir or default_data_dir()
    places = load_places(data_dir)
    commune_zone = {commune.code: commune.zone for commune in places.communes}
    found = calibration.measure(
        path, commune_zone=commune_zone, division_section=division_sections()
    )
    aims = calibration.published()
    population = places.zone_population
    people = sum(population.values())
    density = sorted(
        (found["zones"].get(zone, {}).get("establishments", 0) / found["active"])
        / (inhabitants / people)
        for zone, inhabitants in population.items()
    )
    lines = [
        f"{path.name}: {found['active']:,} établissements actifs, "
        f"{found['employees']:,.0f} salariés estimés",
        f"{'agrégat':<48}{'publié':>9}{'généré':>9}",
    ]

    def line(label, published, generated, form="{:>8.1%}"):
        lines.append(f"{label:<48}{form.format(published)} {form.format(generated)}")

    line(
        "salariés estimés par établissement actif",
        aims["employees_per_active"],
        found["employees_per_active"],
        "{:>8.2f}",
    )
    jobs, firms = found["section_jobs"], found["section_establishments"]
    line(
        "part des salariés : industrie manufacturière (C)",
        aims["manufacturing_jobs"],
        jobs.get("C", 0),
    )
    line(
        "part des salariés : industrie (B à E)",
        aims["industry_jobs"],
        sum(jobs.get(s, 0) for s in "BCDE"),
    )
    employers = sum(v for b, v in found["bands"].items() if b not in ("", "NN", "00"))
    line(
        "établissements employeurs (tranches 01 à 53)",
        aims["employer_share"],
        employers,
    )
    for section in calibration.SECTIONS:
        line(
            f"section {section}, part des établissements actifs",
            aims[f"establishments_{section}"],
            firms.get(section, 0),
        )
    for section in calibration.SECTIONS:
        line(
            f"section {section}, part des salariés estimés",
            aims[f"jobs_{section}"],
            jobs.get(section, 0),
        )
    for band in calibration.BANDS:
        line(
            f"tranche « {band} », part des établissements actifs",
            aims[f"band_{band}"],
            found["bands"].get(band, 0),
            "{:>8.2%}",
        )
    lines += [
        "établissements par habitant, zone / France : "
        f"p5 {density[len(density) // 20]:.2f}, médiane "
        f"{density[len(density) // 2]:.2f}, p95 {density[-len(density) // 20]:.2f}",
        f"part médiane des 5 premiers établissements : {found['median_top5']:.1%}",
        "plus forte part d'une division dans un bassin : "
        "{:.1%} (zone {}, division {})".format(*found["largest_division_share"]),
        f"spécialisations selon l'ancienne règle (indice >= 1,25, 100 salariés) : "
        f"{found['old_rule_flagged']}, dont {found['old_rule_single']} sur un seul "
        "établissement",
    ]
    for zone, division in (("1113", None), ("8409", "55")):
        data = found["zones"].get(zone)
        if not data:
            continue
        divisions = data["divisions"]
        if division is None:
            division = max(
                divisions,
                key=lambda d: (
                    divisions[d]["quotient"] if divisions[d]["employees"] >= 100 else 0
                ),
            )
        figures = divisions.get(division)
        if figures:
            lines.append(
                f"zone {zone}, division {division} : {figures['share']:.1%} des "
                f"salariés, indice {figures['quotient']:.2f}, "
                f"{figures['employees']:,.0f} salariés, "
                f"{figures['establishments']} établissements"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--legacy", action="store_true", help="48-column layout")
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument(
        "--check",
        type=Path,
        metavar="FILE",
        help="print the aggregates of a stock file against the published ones",
    )
    args = parser.parse_args(argv)
    if args.check:
        print(check(args.check, data_dir=args.data_dir))
        return 0
    if args.out is None:
        parser.error("--out or --check is required")
    started = time.perf_counter()
    write(
        args.out,
        rows=args.rows,
        seed=args.seed,
        legacy=args.legacy,
        data_dir=args.data_dir,
    )
    elapsed = time.perf_counter() - started
    size = args.out.stat().st_size / 2**20
    print(
        f"{args.rows:,} lignes écrites dans {args.out} ({size:.1f} Mio) "
        f"en {elapsed:.1f} s ({args.rows / elapsed:,.0f} lignes/s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
