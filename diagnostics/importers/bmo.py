"""France Travail "Besoins en main-d'œuvre" (BMO) survey, spread on zones.

File: ``annee, Code métier BMO, Nom métier BMO, Famille_met, Lbl_fam_met,
REG, NOM_REG, Dept, NomDept, BE24, NOMBE24, met, xmet, smet`` - one row per
BMO basin and occupation (FAP 2021): ``met`` hiring projects, ``xmet`` of
which difficult, ``smet`` of which seasonal. The basin column is named after
the basin vintage (BE24, next year BE25): it is found by the pattern
``^BE\\d{2}$`` (and its label by ``^NOMBE\\d{2}$``).

``*`` is France Travail's statistical secrecy: the value is unknown, NOT
zero. It is never stored as 0: the row is flagged ``confidential`` and the
value left out of the sum (None when nothing else contributes).

Spreading BMO basins over zones d'emploi
----------------------------------------
BMO basins are France Travail's own areas, not INSEE zones d'emploi. Each
BMO basin's figures are split over the zones d'emploi its communes belong
to, in proportion to the communes' population:

1. the France Travail commune table (``code_commune_insee`` ->
   ``code_bassin_BMO``) lists the communes of each BMO basin; municipal
   arrondissements (Paris, Lyon, Marseille) are replaced by their commune,
   and each (basin, commune) pair counts once;
2. a commune listed in k BMO basins lends each of them 1/k of its
   population (``Commune.population``, legal population), so no inhabitant
   is counted twice;
3. share(BMO basin b -> zone z) = population of b's communes in z /
   population of all b's communes (equal weights per commune when none has
   a population);
4. for each occupation, zone z receives sum over b of share(b, z) x value(b).

The shares of a BMO basin add up to 1, so for any occupation the national
total is preserved (up to rounding, to 0.001) for the basins that could be
placed. Rows of a BMO basin absent from the commune table, or whose
communes are all unknown, are rejected and listed. This assumes projects
are spread like residents: a rough but transparent hypothesis, good enough
to rank occupations within a zone, not to quote a zone's exact figure.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.db.models import Q

from basins.models import Commune
from basins.services import ARRONDISSEMENT_TO_COMMUNE
from diagnostics.importers import base, tabular
from diagnostics.importers.validation import (
    CsvStream,
    ImportFileError,
    check_columns,
    inspect_csv,
)
from diagnostics.models import HiringProjects, ImportRun

YEAR = "annee"
OCCUPATION = "Code métier BMO"
OCCUPATION_LABEL = "Nom métier BMO"
FAMILY = "Famille_met"
FAMILY_LABEL = "Lbl_fam_met"
VALUES = ("met", "xmet", "smet")
FIELDS = {"met": "projects", "xmet": "difficult", "smet": "seasonal"}
REQUIRED_COLUMNS = (YEAR, OCCUPATION, OCCUPATION_LABEL, FAMILY, FAMILY_LABEL, *VALUES)
BASIN_RE = re.compile(r"BE\d{2}")
BASIN_LABEL_RE = re.compile(r"NOMBE\d{2}")
CONFIDENTIAL = "*"

COMMUNES_FILE = "francetravail_bassins_bmo_communes.csv"
COMMUNE_COLUMNS = ("code_commune_insee", "code_bassin_BMO")

REJECT_LABELS = {
    "bassin_bmo_inconnu": "Bassin BMO absent de la table des communes "
    "France Travail, ou sans commune connue",
}


def check_file(path: Path | str, *, name: str | None = None):
    """Check the head of a BMO file."""
    return inspect_csv(path, required=REQUIRED_COLUMNS, name=name, patterns=[BASIN_RE])


def zone_shares(communes_path: Path | str) -> dict[str, dict[int, float]]:
    """BMO basin code -> {basin (zone d'emploi) id: share}, shares summing to 1."""
    communes_path = Path(communes_path)
    members: dict[str, set[str]] = defaultdict(set)
    with CsvStream(communes_path, required=COMMUNE_COLUMNS) as stream:
        code_at = stream.index("code_commune_insee")
        bmo_at = stream.index("code_bassin_BMO")
        for _line, values in stream:
            code = values[code_at].strip()
            code = ARRONDISSEMENT_TO_COMMUNE.get(code, code)
            members[values[bmo_at].strip()].add(code)
    known = {
        code: (basin_id, population or 0)
        for code, basin_id, population in Commune.objects.values_list(
            "code", "basin_id", "population"
        )
    }
    listings: dict[str, int] = defaultdict(int)
    for codes in members.values():
        for code in codes:
            listings[code] += 1
    shares: dict[str, dict[int, float]] = {}
    for bmo_code, codes in members.items():
        weights: dict[int, float] = defaultdict(float)
        placed = [code for code in codes if code in known]
        total = sum(known[code][1] / listings[code] for code in placed)
        for code in placed:
            basin_id, population = known[code]
            weights[basin_id] += (
                population / listings[code] / total if total else 1 / len(placed)
            )
        if weights:
            shares[bmo_code] = dict(weights)
    return shares


def import_bmo(
    *,
    path: Path | str | None = None,
    run: ImportRun,
    dry_run: bool = False,
    communes_path: Path | str | None = None,
) -> ImportRun:
    """Import a BMO survey file, spread on zones d'emploi; idempotent."""
    communes_path = Path(communes_path or Path(settings.DATA_DIR) / COMMUNES_FILE)

    def work(path: Path, progress: base.ProgressReporter) -> base.Outcome:
        outcome = base.Outcome()
        name = run.file_name or path.name
        if not communes_path.exists():
            raise ImportFileError(
                "Table des communes des bassins BMO introuvable "
                f"({communes_path.name})."
            )
        shares = zone_shares(communes_path)
        sums: dict[tuple, dict] = {}
        rejects = None
        years = set()
        try:
            with CsvStream(path, required=REQUIRED_COLUMNS, name=name) as stream:
                basin_column = _find(stream.columns, BASIN_RE, name)
                check_columns(stream.columns, required=[basin_column], name=name)
                at = {c: stream.index(c) for c in (*REQUIRED_COLUMNS, basin_column)}
                label_at = next(
                    (
                        i
                        for i, c in enumerate(stream.columns)
                        if BASIN_LABEL_RE.fullmatch(c)
                    ),
                    None,
                )
                for line, values in stream:
                    outcome.rows_read += 1
                    year = values[at[YEAR]].strip()
                    if not (len(year) == 4 and year.isdigit()):
                        raise ImportFileError(
                            f"Ligne {line} du fichier {name} : année « {year} » "
                            "invalide."
                        )
                    bmo_code = values[at[basin_column]].strip()
                    zones = shares.get(bmo_code)
                    if zones is None:
                        shown = [bmo_code]
                        if label_at is not None:
                            shown.append(values[label_at])
                        rejects = tabular.reject(
                            rejects,
                            run,
                            [basin_column, "libellé", OCCUPATION],
                            line=line,
                            reason="bassin_bmo_inconnu",
                            values=[*shown, values[at[OCCUPATION]]][:3],
                            outcome=outcome,
                        )
                        continue
                    numbers = {
                        column: _number(values[at[column]], line, column, name)
                        for column in VALUES
                    }
                    years.add(int(year))
                    for basin_id, share in zones.items():
                        key = (basin_id, int(year), values[at[OCCUPATION]].strip())
                        record = sums.get(key)
                        if record is None:
                            record = sums[key] = {
                                "occupation_label": values[at[OCCUPATION_LABEL]],
                                "family_code": values[at[FAMILY]].strip(),
                                "family_label": values[at[FAMILY_LABEL]],
                                "projects": None,
                                "difficult": None,
                                "seasonal": None,
                                "confidential": False,
                            }
                        for column, number in numbers.items():
                            field = FIELDS[column]
                            if number is CONFIDENTIAL:
                                record["confidential"] = True
                            elif number is not None:
                                record[field] = (record[field] or 0.0) + number * share
        finally:
            if rejects is not None:
                rejects.close()
                run.rejects_file.name = rejects.name
        for record in sums.values():
            for field in FIELDS.values():
                if record[field] is not None:
                    record[field] = round(record[field], 3)
        tabular.upsert(
            HiringProjects,
            keys=("basin_id", "year", "occupation_code"),
            fields=(
                "occupation_label",
                "family_code",
                "family_label",
                "projects",
                "difficult",
                "seasonal",
                "confidential",
            ),
            records=sums,
            run=run,
            outcome=outcome,
            scope=Q(year__in=years),
        )
        outcome.details["labels"] = REJECT_LABELS
        outcome.details["unit"] = "métiers × zones"
        return outcome

    return base.execute(
        run, path=base.resolve_path(run, path), dry_run=dry_run, work=work
    )


def _find(columns: list[str], pattern: re.Pattern, name: str) -> str:
    found = [c for c in columns if pattern.fullmatch(c)]
    if len(found) != 1:
        raise ImportFileError(
            f"Le fichier {name} doit avoir une et une seule colonne de bassin BMO "
            f"(BE24, BE25…) ; trouvé : {', '.join(found) or 'aucune'}."
        )
    return found[0]


def _number(cell: str, line: int, column: str, name: str) -> float | str | None:
    """A number, CONFIDENTIAL for "*", None for an empty cell (missing)."""
    cell = cell.strip()
    if cell == CONFIDENTIAL:
        return CONFIDENTIAL
    if not cell:
        return None
    try:
        return float(cell.replace(",", "."))
    except ValueError:
        raise ImportFileError(
            f"Ligne {line} du fichier {name}, colonne {column} : « {cell} » "
            "n'est ni un nombre ni « * » (secret statistique)."
        ) from None


__all__ = ["check_file", "import_bmo", "zone_shares"]
